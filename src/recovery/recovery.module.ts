import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CountersModule } from '../abuse/counters.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { MailModule } from '../mail/mail.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsersModule } from '../users/users.module.js';
import { BackgroundWork } from './background-work.js';
import { EmailVerificationService } from './email-verification.service.js';
import { PasswordResetService } from './password-reset.service.js';
import { RecoveryPurgeJob } from './recovery-purge.job.js';
import { RecoveryLimits } from './recovery-limits.service.js';
import { RecoveryToken } from './recovery-token.entity.js';
import { RecoveryTokensService } from './recovery-tokens.service.js';
import { RecoveryController } from './recovery.controller.js';

/** Password reset and email verification: one-time tokens and the mails that carry them. */
@Module({
  imports: [
    TypeOrmModule.forFeature([RecoveryToken]),
    UsersModule,
    SessionsModule,
    MailModule,
    AuditModule,
    CountersModule,
  ],
  controllers: [RecoveryController],
  providers: [
    RecoveryTokensService,
    RecoveryLimits,
    BackgroundWork,
    PasswordResetService,
    EmailVerificationService,
    RecoveryPurgeJob,
  ],
  exports: [RecoveryTokensService, BackgroundWork],
})
export class RecoveryModule {}
