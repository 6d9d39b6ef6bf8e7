import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AuditService } from '../audit/audit.service.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import type { Login, LoginKind } from '../sessions/login.entity.js';
import { LoginsService } from '../sessions/logins.service.js';
import type { User } from '../users/user.entity.js';
import { clientInfo } from './client-info.js';

/**
 * What session and token login share after the one credential check: the login record, with
 * the lifetimes of its kind and the device it came from, and its audit event.
 */
@Injectable()
export class LoginStarter {
  constructor(
    private readonly logins: LoginsService,
    private readonly audit: AuditService,
    @Inject(ConfigService) private readonly config: AppConfigService,
  ) {}

  async start(user: User, kind: LoginKind, req: Request): Promise<Login> {
    const { idleTtlMs, absoluteTtlMs } =
      kind === 'session'
        ? this.config.get('session', { infer: true })
        : // A token login lives as long as its refresh tokens: JWT_REFRESH_TTL from the login.
          { idleTtlMs: this.config.get('jwt.refreshTtlMs', { infer: true }), absoluteTtlMs: this.config.get('jwt.refreshTtlMs', { infer: true }) };
    const client = clientInfo(req);
    const login = await this.logins.create({ userId: user.id, kind, idleTtlMs, absoluteTtlMs, ...client });
    this.audit.record({ type: 'login.succeeded', userId: user.id, loginId: login.id, mode: kind, ...client });
    return login;
  }
}
