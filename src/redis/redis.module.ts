import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { REDIS } from './redis.constants.js';

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [ConfigService],
      useFactory: async (config: AppConfigService): Promise<Redis | null> => {
        const url = config.get('redis.url', { infer: true });
        if (!url) return null;
        const client = new Redis(url, {
          lazyConnect: true,
          connectTimeout: 5000,
          disconnectTimeout: 500,
          // Commands fail at once while Redis is away instead of piling up: a request gets a clear error.
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
        });
        // An unreachable Redis shows in /api/health; the client keeps reconnecting by itself.
        client.on('error', (error) => new Logger('Redis').warn(`Redis: ${error.message}`));
        await client.connect().catch(() => undefined);
        return client;
      },
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis | null) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.redis) return;
    // quit() waits for a server that may never answer; a client still reconnecting just stops.
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis?.disconnect());
    else this.redis.disconnect();
  }
}
