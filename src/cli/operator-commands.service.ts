import { ConflictException, Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { randomBytes } from 'node:crypto';
import { AuditService } from '../audit/audit.service.js';
import { RegisterDto } from '../auth/dto/register.dto.js';
import { LoginsService } from '../sessions/logins.service.js';
import type { Role, User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { CliError } from './cli-error.js';

export interface NewAccount {
  email: string;
  displayName?: string;
  admin: boolean;
  /** Null: generate one and report it once. */
  password: string | null;
}

/** Recorded as `by` in the audit trail, where the admin API puts the admin's id. */
const BY_OPERATOR = 'cli';

/** The operator's commands; each returns the one line to print. */
@Injectable()
export class OperatorCommands {
  constructor(
    private readonly users: UsersService,
    private readonly logins: LoginsService,
    private readonly audit: AuditService,
  ) {}

  async createUser({ email, displayName, admin, password }: NewAccount): Promise<string> {
    const generated = password === null;
    // 18 random bytes: 24 characters of base64url, well inside the 8–128 rule.
    const secret = password ?? randomBytes(18).toString('base64url');
    // The registration DTO itself, so the CLI normalises and validates exactly like the API.
    const dto = plainToInstance(RegisterDto, {
      email,
      password: secret,
      ...(displayName !== undefined ? { name: displayName } : {}),
    });
    const problems = (await validate(dto)).flatMap((error) => Object.values(error.constraints ?? {}));
    if (problems.length > 0) throw new CliError(`Invalid input: ${problems.join('; ')}`);
    let user: User;
    try {
      user = await this.users.create(dto);
    } catch (error) {
      if (error instanceof ConflictException) throw new CliError(`An account with email ${dto.email} already exists`);
      throw error;
    }
    if (admin) user = await this.changeRoles(user, [...user.roles, 'admin']);
    const what = `Created ${admin ? 'administrator' : 'user'} ${user.email} (${user.id})`;
    return generated ? `${what} with password: ${secret}` : what;
  }

  async promote(email: string): Promise<string> {
    const user = await this.existing(email);
    if (user.roles.includes('admin')) return `${user.email} is already an administrator`;
    await this.changeRoles(user, [...user.roles, 'admin']);
    return `${user.email} is now an administrator`;
  }

  async demote(email: string): Promise<string> {
    const user = await this.existing(email);
    if (!user.roles.includes('admin')) return `${user.email} is not an administrator`;
    const roles = user.roles.filter((role) => role !== 'admin');
    await this.changeRoles(user, roles.length > 0 ? roles : ['user']);
    return `${user.email} is no longer an administrator`;
  }

  /** Through the login registry, so running instances hear of it by the revocation broadcast. */
  async revokeLogins(email: string): Promise<string> {
    const user = await this.existing(email);
    const count = await this.logins.revokeAllExcept(user.id, 'operator');
    return `Ended ${count} login${count === 1 ? '' : 's'} of ${user.email}`;
  }

  private async existing(email: string): Promise<User> {
    const user = await this.users.findByEmail(email);
    if (!user) throw new CliError(`No account with email ${email.trim()}`);
    return user;
  }

  /** Audited like the admin API's role change. */
  private async changeRoles(user: User, roles: Role[]): Promise<User> {
    const changed = await this.users.setRoles(user.id, roles);
    this.audit.record({ type: 'role.changed', userId: user.id, details: { roles: changed.roles, by: BY_OPERATOR } });
    return changed;
  }
}
