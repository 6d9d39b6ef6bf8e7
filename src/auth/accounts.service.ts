import { Injectable, UnauthorizedException } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { LoginsService } from '../sessions/logins.service.js';
import { UsersService } from '../users/users.service.js';
import { loginKindOf, type AuthUser } from '../auth-decorators/auth-user.js';

/** Account changes that must end logins too: through the one revocation mechanism. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly users: UsersService,
    private readonly logins: LoginsService,
    private readonly audit: AuditService,
  ) {}

  /** New password; every other login of the user (both kinds) ends, the caller's stays. */
  async changePassword(caller: AuthUser, currentPassword: string, newPassword: string): Promise<void> {
    if (!(await this.users.checkPassword(caller.id, currentPassword)))
      throw new UnauthorizedException('Current password is wrong');
    // One transaction: the new password, and the end of every other login, including one that
    // was being recorded with the old password while this ran (see UsersService.setPassword).
    const { changed, result: revoked } = await this.users.setPassword(caller.id, newPassword, (manager) =>
      this.logins.revokeAllExceptWithin(manager, caller.id, 'password.changed', caller.loginId),
    );
    if (!changed) throw new UnauthorizedException('Current password is wrong');
    // Announced once committed, before this answers: then nothing from the old password works.
    if (revoked) this.logins.announce(revoked);
    this.audit.record({
      type: 'password.changed',
      userId: caller.id,
      loginId: caller.loginId,
      mode: loginKindOf(caller),
    });
  }

  /** The caller deletes their own account, confirming with the password. */
  async deleteOwnAccount(caller: AuthUser, password: string): Promise<void> {
    if (!(await this.users.checkPassword(caller.id, password))) throw new UnauthorizedException('Password is wrong');
    await this.deleteUser(caller.id, caller.id);
  }

  /**
   * Deletes a user with everything theirs. In one transaction, the logins are revoked and leave
   * tombstones before the rows disappear with the user: instances running now hear of the
   * revocation, instances started later read the tombstones.
   */
  async deleteUser(userId: string, byUserId: string): Promise<boolean> {
    const { deleted, result: revoked } = await this.users.delete(userId, (manager) =>
      this.logins.revokeForDeletionWithin(manager, userId),
    );
    if (revoked) this.logins.announce(revoked);
    if (deleted)
      this.audit.record({
        type: 'user.deleted',
        userId,
        details: byUserId === userId ? { by: 'self' } : { by: byUserId },
      });
    return deleted;
  }
}
