import { BadRequestException, ConflictException, Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { serviceSecret } from '../common/secret-file.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { UsersService } from '../users/users.service.js';
import { MfaSecret } from './mfa-secret.entity.js';
import { RecoveryCode } from './recovery-code.entity.js';
import { hashRecoveryCode, newRecoveryCode, normalizeRecoveryCode, RECOVERY_CODE_COUNT } from './recovery-codes.js';
import { SecretBox } from './secret-box.js';
import { isTotpCode, newTotpSecret, otpauthUrl, totpStep } from './totp.js';

/** Who acts, for the audit trail. */
export interface MfaActor {
  userId: string;
  loginId?: string;
  mode?: 'session' | 'token';
  ip?: string | undefined;
  userAgent?: string | undefined;
}

/** How a second factor was proved: a TOTP code or one of the recovery codes. */
export type SecondFactor = 'totp' | 'recovery';

const ISSUER = 'nest-dual-auth';

/**
 * TOTP second factor: enrolment with confirmation, recovery codes, verification of a code for
 * logins and step-up. The only code that touches the mfa_secrets and mfa_recovery_codes tables.
 */
@Injectable()
export class MfaService {
  private readonly box: SecretBox;

  constructor(
    @InjectRepository(MfaSecret) private readonly secrets: Repository<MfaSecret>,
    @InjectRepository(RecoveryCode) private readonly codes: Repository<RecoveryCode>,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.box = new SecretBox(
      serviceSecret(config.get('session.secret', { infer: true }), config.get('app.dataDir', { infer: true })),
    );
  }

  /**
   * A new pending secret (replacing a pending one), returned this once so the user can add it to
   * an authenticator app; 409 when the second factor is already on.
   */
  async beginEnrolment(userId: string): Promise<{ secret: string; otpauthUrl: string }> {
    const user = await this.users.getById(userId);
    if (user.mfaEnabled) throw new ConflictException('The second factor is already on; turn it off first');
    const secret = newTotpSecret();
    // Replaces a pending secret only: a confirmation committed since the check above keeps its
    // confirmed secret (the upsert waits for its row lock, then finds it confirmed).
    const stored = await this.secrets.query<unknown[]>(
      `INSERT INTO mfa_secrets (user_id, secret_ciphertext, confirmed_at, last_step) VALUES ($1, $2, NULL, NULL)
       ON CONFLICT (user_id) DO UPDATE SET secret_ciphertext = EXCLUDED.secret_ciphertext, last_step = NULL
       WHERE mfa_secrets.confirmed_at IS NULL
       RETURNING user_id`,
      [userId, this.box.seal(secret, userId)],
    );
    if (stored.length === 0) throw new ConflictException('The second factor is already on; turn it off first');
    return { secret, otpauthUrl: otpauthUrl(secret, ISSUER, user.email) };
  }

  /** The first code confirms the pending secret: MFA is on, and the recovery codes are shown this once. */
  async confirmEnrolment(actor: MfaActor, code: string): Promise<{ recoveryCodes: string[] }> {
    const pending = await this.secrets.findOneBy({ userId: actor.userId, confirmedAt: IsNull() });
    if (!pending) {
      const user = await this.users.getById(actor.userId);
      if (user.mfaEnabled) throw new ConflictException('The second factor is already on');
      throw new BadRequestException('No enrolment is pending; start one first');
    }
    const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    const confirmed = await this.secrets.manager.transaction(async (manager) => {
      if (!(await this.acceptTotp(manager, pending, code, false))) return false;
      await manager.update(MfaSecret, { userId: actor.userId }, { confirmedAt: () => 'now()' });
      await manager.delete(RecoveryCode, { userId: actor.userId });
      await manager.insert(
        RecoveryCode,
        recoveryCodes.map((c) => ({ userId: actor.userId, codeHash: hashRecoveryCode(normalizeRecoveryCode(c)!) })),
      );
      await this.users.setMfaEnabled(manager, actor.userId, true);
      return true;
    });
    if (!confirmed) {
      this.audit.record({ type: 'mfa.failed', ...entry(actor), details: { step: 'enrolment' } });
      throw new BadRequestException('Wrong code');
    }
    this.audit.record({ type: 'mfa.enabled', ...entry(actor) });
    return { recoveryCodes };
  }

  /** Turns the second factor off: secret and recovery codes are deleted. */
  async disable(actor: MfaActor): Promise<void> {
    const wasOn = await this.secrets.manager.transaction(async (manager) => {
      const removed = await manager.delete(MfaSecret, { userId: actor.userId });
      await manager.delete(RecoveryCode, { userId: actor.userId });
      await this.users.setMfaEnabled(manager, actor.userId, false);
      return (removed.affected ?? 0) > 0;
    });
    if (wasOn) this.audit.record({ type: 'mfa.disabled', ...entry(actor) });
  }

  /**
   * Checks a second factor of a user whose MFA is on: a TOTP code (each accepted once) or an
   * unused recovery code (used up by this). A wrong code is audited as `mfa.failed`.
   */
  async verify(actor: MfaActor, code: string): Promise<SecondFactor | null> {
    const factor = isTotpCode(code)
      ? await this.verifyTotp(actor.userId, code)
      : await this.useRecoveryCode(actor.userId, code);
    if (!factor) this.audit.record({ type: 'mfa.failed', ...entry(actor) });
    return factor;
  }

  private async verifyTotp(userId: string, code: string): Promise<SecondFactor | null> {
    const secret = await this.secrets.findOneBy({ userId, confirmedAt: Not(IsNull()) });
    if (!secret) return null;
    return (await this.acceptTotp(this.secrets.manager, secret, code, true)) ? 'totp' : null;
  }

  /**
   * Accepts `code` for `secret` once: the step is stored with a compare-and-swap on the last
   * accepted step, so of concurrent requests with the same code exactly one succeeds.
   */
  private async acceptTotp(
    manager: EntityManager,
    secret: MfaSecret,
    code: string,
    confirmed: boolean,
  ): Promise<boolean> {
    const lastStep = secret.lastStep === null ? null : Number(secret.lastStep);
    const step = await totpStep(this.box.open(secret.secretCiphertext, secret.userId), code, lastStep);
    if (step === null) return false;
    const accepted = await manager
      .createQueryBuilder()
      .update(MfaSecret)
      .set({ lastStep: String(step) })
      .where('user_id = :userId AND (last_step IS NULL OR last_step < :step)', { userId: secret.userId, step })
      .andWhere(confirmed ? 'confirmed_at IS NOT NULL' : 'confirmed_at IS NULL')
      .execute();
    return (accepted.affected ?? 0) > 0;
  }

  private async useRecoveryCode(userId: string, code: string): Promise<SecondFactor | null> {
    const normalized = normalizeRecoveryCode(code);
    if (!normalized) return null;
    const used = await this.codes
      .createQueryBuilder()
      .update(RecoveryCode)
      .set({ usedAt: () => 'now()' })
      .where('user_id = :userId AND code_hash = :hash AND used_at IS NULL', {
        userId,
        hash: hashRecoveryCode(normalized),
      })
      .execute();
    return (used.affected ?? 0) > 0 ? 'recovery' : null;
  }
}

function entry(actor: MfaActor) {
  return {
    userId: actor.userId,
    loginId: actor.loginId ?? null,
    mode: actor.mode ?? null,
    ip: actor.ip,
    userAgent: actor.userAgent,
  };
}
