import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { AuditModule } from '../audit/audit.module.js';
import type { RedisClient } from '../redis/redis-client.js';
import { REDIS } from '../redis/redis.constants.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccessTokensService } from './access-tokens.service.js';
import { JwksController } from './jwks.controller.js';
import { RefreshToken } from './refresh-token.entity.js';
import { RefreshTokensService } from './refresh-tokens.service.js';
import { LocalBroadcast, PostgresBroadcast, RedisBroadcast, type RevocationBroadcast } from './revocation-broadcast.js';
import { RevocationListService } from './revocation-list.service.js';
import { SigningKeys } from './signing-keys.js';
import { REVOCATION_BROADCAST } from './tokens.constants.js';
import { TokenActivityService } from './token-activity.service.js';
import { TokensService } from './tokens.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([RefreshToken]), SessionsModule, UsersModule, AuditModule],
  controllers: [JwksController],
  providers: [
    {
      provide: SigningKeys,
      inject: [ConfigService],
      useFactory: (config: AppConfigService) =>
        SigningKeys.load({ jwt: config.get<AppConfig['jwt']>('jwt'), app: config.get<AppConfig['app']>('app') }),
    },
    {
      provide: REVOCATION_BROADCAST,
      inject: [ConfigService, REDIS, DataSource],
      useFactory: (config: AppConfigService, redis: RedisClient | null, db: DataSource): RevocationBroadcast => {
        if (redis) return new RedisBroadcast(redis);
        const url = config.get('database.url', { infer: true });
        return url ? new PostgresBroadcast(url, db) : new LocalBroadcast();
      },
    },
    AccessTokensService,
    RefreshTokensService,
    RevocationListService,
    TokenActivityService,
    TokensService,
  ],
  exports: [AccessTokensService, RevocationListService, TokenActivityService, TokensService],
})
export class TokensModule {}
