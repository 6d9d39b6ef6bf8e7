import { BadRequestException, Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Subscription } from 'rxjs';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../auth-decorators/auth-user.js';
import { clientInfo } from '../common/client-info.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { MailService } from '../mail/mail.service.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { BackgroundWork } from './background-work.js';
import { link, verificationMail, VERIFY_PAGE } from './recovery-mails.js';
import { RecoveryLimits } from './recovery-limits.service.js';
import { newRecoveryToken, RecoveryTokensService } from './recovery-tokens.service.js';

export const INVALID_VERIFICATION_TOKEN = 'The verification link is invalid, used or expired; ask for a new one';

/** Proof that a user owns their address: a link mailed at registration (and on request). */
@Injectable()
export class EmailVerificationService implements OnModuleInit, OnModuleDestroy {
  private readonly ttlMs: number;
  private readonly appUrl: string;
  private registrations?: Subscription;

  constructor(
    private readonly users: UsersService,
    private readonly tokens: RecoveryTokensService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly limits: RecoveryLimits,
    private readonly background: BackgroundWork,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.ttlMs = config.get('recovery.emailVerificationTtlMs', { infer: true });
    this.appUrl = config.get('mail.appUrl', { infer: true });
  }

  /** Every account registered unverified gets its link, after the registration has answered. */
  onModuleInit(): void {
    this.registrations = this.users.created$.subscribe((user) =>
      this.background.run('Verification mail', () => this.send(user)),
    );
  }

  onModuleDestroy(): void {
    this.registrations?.unsubscribe();
  }

  /** Another link for the caller (counted like reset requests); nothing is sent once verified. */
  async resend(caller: AuthUser, req: Request, res: Response): Promise<void> {
    const user = await this.users.getById(caller.id);
    await this.limits.hit(user.email, req.ip, res);
    if (!user.emailVerified) this.background.run('Verification mail', () => this.send(user));
  }

  async verify(token: string, req: Request): Promise<void> {
    const userId = await this.tokens.consume('email_verification', token);
    if (!userId) throw new BadRequestException(INVALID_VERIFICATION_TOKEN);
    if (await this.users.markEmailVerified(userId))
      this.audit.record({ type: 'email.verified', userId, ...clientInfo(req) });
  }

  private async send(user: User): Promise<void> {
    const token = newRecoveryToken();
    await this.tokens.store(user.id, 'email_verification', token, this.ttlMs);
    await this.mail.send(verificationMail(user.email, link(this.appUrl, VERIFY_PAGE, token), this.ttlMs));
  }
}
