import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthRateLimitGuard } from './auth-rate-limit.guard.js';
import { CountersModule } from './counters.module.js';
import { LoginLockoutService } from './login-lockout.service.js';

/** Rate limits on /api/auth/* and login lockout, on counters shared through Redis when set. */
@Module({
  imports: [CountersModule],
  providers: [LoginLockoutService, { provide: APP_GUARD, useClass: AuthRateLimitGuard }],
  exports: [LoginLockoutService],
})
export class AbuseModule {}
