import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AbuseModule } from '../abuse/abuse.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { MfaModule } from '../mfa/mfa.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccountController } from './account.controller.js';
import { AccountsService } from './accounts.service.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { JwtStrategy } from './jwt.strategy.js';
import { LocalStrategy } from './local.strategy.js';
import { LoginStarter } from './login-starter.service.js';
import { Freshness } from './freshness.js';
import { MfaLoginService } from './mfa-login.service.js';
import { PurgeJob } from './purge.job.js';
import { ReauthenticationService } from './reauthentication.service.js';
import { StepUpController } from './step-up.controller.js';
import { SessionAuthController } from './session-auth.controller.js';
import { SessionSerializer } from './session.serializer.js';
import { SessionStrategy } from './session.strategy.js';
import { TokenAuthController } from './token-auth.controller.js';
import { VerifiedEmailPolicy } from './verified-email.policy.js';

@Module({
  imports: [
    UsersModule,
    SessionsModule,
    TokensModule,
    MfaModule,
    AuditModule,
    AbuseModule,
    PassportModule.register({ session: true }),
  ],
  controllers: [AuthController, SessionAuthController, TokenAuthController, StepUpController, AccountController],
  providers: [
    LocalStrategy,
    SessionSerializer,
    JwtStrategy,
    SessionStrategy,
    AccountsService,
    LoginStarter,
    PurgeJob,
    VerifiedEmailPolicy,
    Freshness,
    MfaLoginService,
    ReauthenticationService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AccountsService],
})
export class AuthModule {}
