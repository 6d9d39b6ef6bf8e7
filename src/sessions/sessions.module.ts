import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Store } from 'express-session';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { DatabaseShutdown } from '../database/database-shutdown.js';
import { REDIS } from '../redis/redis.constants.js';
import { UsersModule } from '../users/users.module.js';
import { DevicesController } from './devices.controller.js';
import { CsrfService } from './csrf.service.js';
import { HttpSession } from './http-session.entity.js';
import { Login } from './login.entity.js';
import { LoginsService } from './logins.service.js';
import { RedisSessionStore, type SessionRedis } from './redis-session-store.js';
import { createSessionMiddleware } from './session.middleware.js';
import { CachedSessionStore, SessionCache } from './session-cache.js';
import { DatabaseSessionStore } from './session-store.js';
import { SESSION_MIDDLEWARE, SESSION_STORE } from './sessions.constants.js';

@Module({
  imports: [TypeOrmModule.forFeature([Login, HttpSession]), UsersModule, AuditModule],
  controllers: [DevicesController],
  providers: [
    LoginsService,
    CsrfService,
    {
      provide: SessionCache,
      inject: [ConfigService],
      useFactory: (config: AppConfigService) => new SessionCache(config.get('session.idleTtlMs', { infer: true })),
    },
    {
      // Redis when it is configured, so a session request needs no database query; the
      // service's own database otherwise; either way behind the in-process cache.
      provide: SESSION_STORE,
      inject: [ConfigService, DataSource, LoginsService, REDIS, DatabaseShutdown, SessionCache],
      useFactory: (
        config: AppConfigService,
        db: DataSource,
        logins: LoginsService,
        redis: SessionRedis | null,
        shutdown: DatabaseShutdown,
        cache: SessionCache,
      ): Store => {
        const idleTtlMs = config.get('session.idleTtlMs', { infer: true });
        if (!redis) return new CachedSessionStore(cache, new DatabaseSessionStore(db, logins, idleTtlMs));
        const store = new RedisSessionStore(redis, logins, idleTtlMs);
        // Every revocation on this instance (the CLI's included) drops the logins' entries.
        const subscription = logins.revoked$.subscribe(
          ({ sessionLoginIds }) => sessionLoginIds.length > 0 && store.forget(sessionLoginIds),
        );
        shutdown.beforeClose(async () => {
          subscription.unsubscribe();
          await store.flush();
        });
        return new CachedSessionStore(cache, store);
      },
    },
    {
      provide: SESSION_MIDDLEWARE,
      inject: [ConfigService, SESSION_STORE],
      useFactory: (config: AppConfigService, store: Store) =>
        createSessionMiddleware(
          { session: config.get<AppConfig['session']>('session'), app: config.get<AppConfig['app']>('app') },
          store,
        ),
    },
  ],
  exports: [LoginsService, CsrfService, SessionCache, SESSION_MIDDLEWARE, SESSION_STORE],
})
export class SessionsModule {}
