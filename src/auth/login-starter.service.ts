import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { AuditService } from '../audit/audit.service.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { MfaChallengesService } from '../mfa/mfa-challenges.service.js';
import { CsrfService } from '../sessions/csrf.service.js';
import type { Login, LoginKind } from '../sessions/login.entity.js';
import { LoginsService } from '../sessions/logins.service.js';
import type { TokenPairResponse } from '../tokens/dto/token-pair.response.js';
import { TokensService } from '../tokens/tokens.service.js';
import { UserResponse } from '../users/dto/user.response.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { clientInfo } from './client-info.js';
import type { MfaRequiredResponse } from './dto/mfa-login.dto.js';
import type { SessionLoginResponse } from './dto/session-login.response.js';
import { INVALID_CREDENTIALS } from './local.strategy.js';

/**
 * What session and token login share after the one credential check: the login record, with
 * the lifetimes of its kind and the device it came from, and its audit event; or, with a second
 * factor on, the challenge that POST /api/auth/mfa/verify completes with the same answers.
 */
@Injectable()
export class LoginStarter {
  constructor(
    private readonly logins: LoginsService,
    private readonly audit: AuditService,
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    private readonly csrf: CsrfService,
    private readonly challenges: MfaChallengesService,
    @Inject(ConfigService) private readonly config: AppConfigService,
  ) {}

  /** The one hook after the password check: a user with a second factor gets a challenge instead. */
  async afterPassword<T>(user: User, kind: LoginKind, complete: () => Promise<T>): Promise<T | MfaRequiredResponse> {
    if (!user.mfaEnabled) return complete();
    return { mfaRequired: true, challengeId: await this.challenges.create(user.id, kind, user.credentialsVersion) };
  }

  /** Starts a cookie session: a new session id (no fixation), the CSRF token for its unsafe requests. */
  async session(user: User, req: Request, mfa = false): Promise<SessionLoginResponse> {
    // Logging in again over a live session replaces it: its login must not linger as a device.
    const previous = req.session?.passport?.user?.loginId;
    if (previous) await this.logins.revokeById(previous, 'logout');
    const login = await this.start(user, 'session', req, mfa);
    // passport regenerates the session id here (no fixation) and stores the ids only.
    await new Promise<void>((resolve, reject) =>
      req.logIn({ userId: user.id, loginId: login.id }, (error) => (error ? reject(error) : resolve())),
    );
    return { user: UserResponse.from(user), csrfToken: this.csrf.issue(req, true) };
  }

  /** Starts a token login: its first pair. */
  async token(user: User, req: Request, mfa = false): Promise<TokenPairResponse> {
    return this.tokens.issue(await this.start(user, 'token', req, mfa), user.roles);
  }

  async start(user: User, kind: LoginKind, req: Request, mfa = false): Promise<Login> {
    const { idleTtlMs, absoluteTtlMs } =
      kind === 'session'
        ? this.config.get('session', { infer: true })
        : // A token login lives as long as its refresh tokens: JWT_REFRESH_TTL from the login.
          {
            idleTtlMs: this.config.get('jwt.refreshTtlMs', { infer: true }),
            absoluteTtlMs: this.config.get('jwt.refreshTtlMs', { infer: true }),
          };
    const client = clientInfo(req);
    // Recorded only if the password checked is still the user's: a change (or a deletion) that
    // committed since the check makes this login fail like a wrong password.
    const login = await this.logins.create(
      { userId: user.id, kind, idleTtlMs, absoluteTtlMs, mfa, ...client },
      this.users.credentialsHeld(user.id, user.credentialsVersion),
    );
    if (!login) {
      this.audit.record({
        type: 'login.failed',
        userId: user.id,
        mode: kind,
        ...client,
        details: { reason: 'credentials.changed' },
      });
      throw new UnauthorizedException(INVALID_CREDENTIALS);
    }
    this.audit.record({
      type: 'login.succeeded',
      userId: user.id,
      loginId: login.id,
      mode: kind,
      ...client,
      ...(mfa ? { details: { mfa: true } } : {}),
    });
    return login;
  }
}
