import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuditService } from '../audit/audit.service.js';
import { clientInfo } from '../common/client-info.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { MailService } from '../mail/mail.service.js';
import { LoginsService } from '../sessions/logins.service.js';
import { UsersService } from '../users/users.service.js';
import { BackgroundWork } from './background-work.js';
import { link, passwordResetMail, RESET_PAGE } from './recovery-mails.js';
import { RecoveryLimits } from './recovery-limits.service.js';
import { newRecoveryToken, RecoveryTokensService } from './recovery-tokens.service.js';

export const INVALID_RESET_TOKEN = 'The reset link is invalid, used or expired; ask for a new one';

/** Forgotten passwords: a mailed single-use link that sets a new one and ends every login. */
@Injectable()
export class PasswordResetService {
  private readonly ttlMs: number;
  private readonly appUrl: string;

  constructor(
    private readonly users: UsersService,
    private readonly logins: LoginsService,
    private readonly tokens: RecoveryTokensService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly limits: RecoveryLimits,
    private readonly background: BackgroundWork,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.ttlMs = config.get('recovery.passwordResetTtlMs', { infer: true });
    this.appUrl = config.get('mail.appUrl', { infer: true });
  }

  /**
   * Counts the request, then answers. Whether the address has an account is found out only
   * after the answer, in the background (lookup, token, mail, audit): the answer and its
   * timing are the same for every address.
   */
  async request(email: string, req: Request, res: Response): Promise<void> {
    await this.limits.hit(email, req.ip, res);
    const token = newRecoveryToken();
    const client = clientInfo(req);
    this.background.run('Password reset mail', async () => {
      const user = await this.users.findByEmail(email);
      // Unknown addresses leave no trace: no user to show it to, nothing an admin could act on.
      if (!user) return;
      await this.tokens.store(user.id, 'password_reset', token, this.ttlMs);
      this.audit.record({ type: 'password.reset_requested', userId: user.id, ...client });
      await this.mail.send(passwordResetMail(user.email, link(this.appUrl, RESET_PAGE, token), this.ttlMs));
    });
  }

  /**
   * Sets the new password and ends every login of the user (both kinds, on every instance),
   * through the same path as a password change: one transaction takes the token, stores the
   * password, raises the credentials version and revokes the logins, then the revocation is
   * announced. Following the link proves the address too, so it counts as verified.
   */
  async reset(token: string, newPassword: string, req: Request): Promise<void> {
    const userId = await this.tokens.findOwner('password_reset', token);
    if (!userId) throw new BadRequestException(INVALID_RESET_TOKEN);
    const { changed, result: revoked } = await this.users.setPassword(userId, newPassword, async (manager) => {
      // Taken inside the transaction: of two requests with one token, the second finds it used
      // and its password change rolls back.
      if ((await this.tokens.consumeWithin(manager, 'password_reset', token)) !== userId)
        throw new BadRequestException(INVALID_RESET_TOKEN);
      return this.logins.revokeAllExceptWithin(manager, userId, 'password.reset');
    });
    if (!changed) throw new BadRequestException(INVALID_RESET_TOKEN);
    if (revoked) this.logins.announce(revoked);
    const client = clientInfo(req);
    this.audit.record({ type: 'password.reset', userId, ...client });
    if (await this.users.markEmailVerified(userId))
      this.audit.record({ type: 'email.verified', userId, ...client, details: { via: 'password.reset' } });
  }
}
