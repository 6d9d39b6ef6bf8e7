import { Injectable } from '@nestjs/common';
import { LoginsService } from '../sessions/logins.service.js';
import { UsersService } from '../users/users.service.js';

/** Account changes that must end logins too: through the one revocation mechanism. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly users: UsersService,
    private readonly logins: LoginsService,
  ) {}

  /**
   * Deletes a user with everything theirs. Logins are revoked first, so the revocation reaches
   * every instance's token check before the rows disappear with the user.
   */
  async deleteUser(userId: string): Promise<boolean> {
    await this.logins.revokeAllExcept(userId);
    return this.users.delete(userId);
  }
}
