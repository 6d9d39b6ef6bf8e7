import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { createRedisClient, type RedisClient } from './redis-client.js';
import { REDIS } from './redis.constants.js';

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [ConfigService],
      useFactory: async (config: AppConfigService): Promise<RedisClient | null> => {
        const client = createRedisClient(config.get('redis', { infer: true }));
        if (!client) return null;
        // An unreachable Redis shows in /api/health; the client keeps reconnecting by itself.
        client.on('error', (error: Error) => new Logger('Redis').warn(`Redis: ${error.message}`));
        await client.connect().catch(() => undefined);
        return client;
      },
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: RedisClient | null) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.redis) return;
    // quit() waits for a server that may never answer; a client still reconnecting just stops.
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis?.disconnect());
    else this.redis.disconnect();
  }
}
