import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { UsersModule } from '../users/users.module.js';
import { DevicesController } from './devices.controller.js';
import { CsrfService } from './csrf.service.js';
import { HttpSession } from './http-session.entity.js';
import { Login } from './login.entity.js';
import { LoginsService } from './logins.service.js';
import { createSessionMiddleware } from './session.middleware.js';
import { SESSION_MIDDLEWARE } from './sessions.constants.js';

@Module({
  imports: [TypeOrmModule.forFeature([Login, HttpSession]), UsersModule, AuditModule],
  controllers: [DevicesController],
  providers: [
    LoginsService,
    CsrfService,
    {
      provide: SESSION_MIDDLEWARE,
      inject: [ConfigService, DataSource, LoginsService],
      useFactory: (config: AppConfigService, db: DataSource, logins: LoginsService) =>
        createSessionMiddleware(
          { session: config.get<AppConfig['session']>('session'), app: config.get<AppConfig['app']>('app') },
          db,
          logins,
        ),
    },
  ],
  exports: [LoginsService, CsrfService, SESSION_MIDDLEWARE],
})
export class SessionsModule {}
