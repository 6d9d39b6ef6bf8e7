import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { AuditService } from '../audit/audit.service.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import type { Login, LoginKind } from '../sessions/login.entity.js';
import { LoginsService } from '../sessions/logins.service.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { clientInfo } from './client-info.js';
import { INVALID_CREDENTIALS } from './local.strategy.js';

/**
 * What session and token login share after the one credential check: the login record, with
 * the lifetimes of its kind and the device it came from, and its audit event.
 */
@Injectable()
export class LoginStarter {
  constructor(
    private readonly logins: LoginsService,
    private readonly audit: AuditService,
    private readonly users: UsersService,
    @Inject(ConfigService) private readonly config: AppConfigService,
  ) {}

  async start(user: User, kind: LoginKind, req: Request): Promise<Login> {
    const { idleTtlMs, absoluteTtlMs } =
      kind === 'session'
        ? this.config.get('session', { infer: true })
        : // A token login lives as long as its refresh tokens: JWT_REFRESH_TTL from the login.
          { idleTtlMs: this.config.get('jwt.refreshTtlMs', { infer: true }), absoluteTtlMs: this.config.get('jwt.refreshTtlMs', { infer: true }) };
    const client = clientInfo(req);
    // Recorded only if the password checked is still the user's: a change (or a deletion) that
    // committed since the check makes this login fail like a wrong password.
    const login = await this.logins.create({ userId: user.id, kind, idleTtlMs, absoluteTtlMs, ...client }, (manager) =>
      this.users.holdCredentials(manager, user.id, user.credentialsVersion),
    );
    if (!login) {
      this.audit.record({ type: 'login.failed', userId: user.id, mode: kind, ...client, details: { reason: 'credentials.changed' } });
      throw new UnauthorizedException(INVALID_CREDENTIALS);
    }
    this.audit.record({ type: 'login.succeeded', userId: user.id, loginId: login.id, mode: kind, ...client });
    return login;
  }
}
