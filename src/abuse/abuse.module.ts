import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthRateLimitGuard } from './auth-rate-limit.guard.js';
import { CountersModule } from './counters.module.js';
import { LoginLockoutService } from './login-lockout.service.js';

/** Rate limits on /api/auth/* and login lockout, on counters in Redis when set, otherwise in the database. */
@Module({
  imports: [CountersModule],
  providers: [LoginLockoutService, { provide: APP_GUARD, useClass: AuthRateLimitGuard }],
  // The counters go out for the purge job only.
  exports: [LoginLockoutService, CountersModule],
})
export class AbuseModule {}
