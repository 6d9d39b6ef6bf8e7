import { Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { LoginLockoutService } from '../abuse/login-lockout.service.js';
import { AuditService } from '../audit/audit.service.js';
import { MfaService } from '../mfa/mfa.service.js';
import { LoginsService } from '../sessions/logins.service.js';
import type { TokenPairResponse } from '../tokens/dto/token-pair.response.js';
import { TokensService } from '../tokens/tokens.service.js';
import { UsersService } from '../users/users.service.js';
import { AuthMode } from '../auth-decorators/auth-mode.js';
import { loginKindOf, type AuthUser } from '../auth-decorators/auth-user.js';
import { clientInfo } from './client-info.js';

/**
 * Step-up: the current login proves the password again (and a code when MFA is on), so
 * `@Fresh()` routes accept it for AUTH_FRESH_MAX_AGE. Wrong passwords and codes count toward the
 * same per-user lockout as the other password re-checks (password change, account deletion).
 */
@Injectable()
export class ReauthenticationService {
  constructor(
    private readonly users: UsersService,
    private readonly logins: LoginsService,
    private readonly tokens: TokensService,
    private readonly mfa: MfaService,
    private readonly lockout: LoginLockoutService,
    private readonly audit: AuditService,
  ) {}

  /** The session's login record is fresh (null), or the token login's new pair. */
  async reauthenticate(
    caller: AuthUser,
    password: string,
    code: string | undefined,
    req: Request,
    res: Response,
  ): Promise<TokenPairResponse | null> {
    const subject = `password:${caller.id}`;
    const mode = loginKindOf(caller);
    await this.lockout.attempt(subject, req.ip, res);
    const user = await this.users.findById(caller.id);
    if (!user || !(await this.users.checkPassword(caller.id, password)))
      throw new UnauthorizedException('Password is wrong');
    if (user.mfaEnabled) {
      if (code === undefined)
        throw new UnauthorizedException('A code from the authenticator app (or a recovery code) is required');
      const actor = { userId: user.id, loginId: caller.loginId, mode, ...clientInfo(req) } as const;
      if (!(await this.mfa.verify(actor, code))) throw new UnauthorizedException('Wrong code');
    }
    await this.lockout.reset(subject, req.ip);
    // A token login's proof is recorded with its new pair, in one transaction under the login's
    // lock: a revocation cannot fall between them and leave a token issued to an ended login.
    const proven =
      caller.via === AuthMode.Jwt
        ? await this.tokens.reissue(caller.loginId, user.mfaEnabled, user.roles)
        : { login: await this.logins.markProven(caller.loginId, user.mfaEnabled), pair: null };
    const login = proven?.login;
    if (!login) throw new UnauthorizedException('This login has ended');
    this.audit.record({
      type: 'reauthenticated',
      userId: user.id,
      loginId: login.id,
      mode,
      ...clientInfo(req),
      details: { mfa: user.mfaEnabled },
    });
    return proven.pair;
  }
}
