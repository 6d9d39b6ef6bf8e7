import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { UsersModule } from '../users/users.module.js';
import { MfaChallenge } from './mfa-challenge.entity.js';
import { MfaChallengesService } from './mfa-challenges.service.js';
import { MfaSecret } from './mfa-secret.entity.js';
import { MfaController } from './mfa.controller.js';
import { MfaService } from './mfa.service.js';
import { RecoveryCode } from './recovery-code.entity.js';

/** The TOTP second factor: enrolment, recovery codes, and the code check auth/ asks for. */
@Module({
  imports: [TypeOrmModule.forFeature([MfaSecret, RecoveryCode, MfaChallenge]), UsersModule, AuditModule],
  controllers: [MfaController],
  providers: [MfaService, MfaChallengesService],
  exports: [MfaService, MfaChallengesService],
})
export class MfaModule {}
