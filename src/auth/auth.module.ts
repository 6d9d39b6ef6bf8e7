import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { LocalStrategy } from './local.strategy.js';
import { SessionAuthController } from './session-auth.controller.js';
import { SessionSerializer } from './session.serializer.js';

@Module({
  imports: [UsersModule, SessionsModule, PassportModule.register({ session: true })],
  controllers: [AuthController, SessionAuthController],
  providers: [LocalStrategy, SessionSerializer, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class AuthModule {}
