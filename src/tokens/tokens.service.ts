import { Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { AuditService, type AuditEntry } from '../audit/audit.service.js';
import type { Login } from '../sessions/login.entity.js';
import { LoginsService } from '../sessions/logins.service.js';
import type { Role } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { AccessTokensService } from './access-tokens.service.js';
import type { TokenPairResponse } from './dto/token-pair.response.js';
import { RefreshTokensService } from './refresh-tokens.service.js';

const INVALID_REFRESH = 'Invalid or expired refresh token';

/** The device presenting a refresh token, for the audit trail. */
export type RefreshClient = Pick<AuditEntry, 'ip' | 'userAgent'>;

/**
 * Token pairs for token logins: issue at login, rotate on refresh (with theft detection),
 * revoke on logout. A token login is a login record like a cookie session; its refresh tokens
 * all expire with it (JWT_REFRESH_TTL after the login), however often they rotate.
 */
@Injectable()
export class TokensService {
  private readonly logger = new Logger(TokensService.name);

  constructor(
    private readonly access: AccessTokensService,
    private readonly refreshTokens: RefreshTokensService,
    private readonly logins: LoginsService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  async issue(login: Login, roles: Role[]): Promise<TokenPairResponse> {
    const refreshToken = await this.refreshTokens.issue(login.id, login.absoluteExpiresAt);
    return this.pair(login, roles, refreshToken, login.absoluteExpiresAt);
  }

  /**
   * Step-up of a token login: records the new proof (`mfa`: with a second factor) and answers
   * the login with a new pair. Its live refresh tokens are retired as a refresh retires one, so
   * presenting one later is reuse. All of it in one transaction under the login's lock: null,
   * with nothing written, when the login has ended.
   */
  async reissue(
    loginId: string,
    mfa: boolean,
    roles: Role[],
  ): Promise<{ login: Login; pair: TokenPairResponse } | null> {
    const replaced = await this.refreshTokens.replaceAll(loginId, (manager) =>
      this.logins.markProven(loginId, mfa, manager),
    );
    if (!replaced) return null;
    const login = replaced.alongside;
    return { login, pair: await this.pair(login, roles, replaced.token, login.absoluteExpiresAt) };
  }

  async refresh(token: string, client: RefreshClient): Promise<TokenPairResponse> {
    // Everything the refresh needs from the database happens in the rotation's transaction: a
    // connection lost before its commit leaves the old token working, after it nothing can fail
    // (a commit whose answer was lost is looked up: RefreshTokensService.redeem).
    const result = await this.refreshTokens.rotate(token, async (manager, loginId) => {
      const login = await this.logins.useIfActive(loginId, manager);
      const roles = login ? await this.users.findRoles(login.userId, manager) : null;
      return login && roles ? { login, roles } : null;
    });
    switch (result.outcome) {
      case 'redeemed': {
        const { login, roles } = result.alongside;
        this.audit.record({
          type: 'token.refreshed',
          userId: login.userId,
          loginId: login.id,
          mode: 'token',
          ...client,
        });
        return this.pair(login, roles, result.next, result.expiresAt);
      }
      case 'reused': {
        // RFC 6819 §5.2.2.3 / OAuth 2.0 Security BCP: a retired token again means it was stolen;
        // end the whole login, so the thief's newer tokens die with the victim's.
        this.logger.warn(`Refresh token reuse detected; login ${result.loginId} revoked`);
        const userId = await this.logins.findOwner(result.loginId);
        this.audit.record({ type: 'token.reuse_detected', userId, loginId: result.loginId, mode: 'token', ...client });
        await this.logins.revokeById(result.loginId, 'token.reuse_detected');
        throw new UnauthorizedException(INVALID_REFRESH);
      }
      case 'refused': // the login has ended (revoked, expired, its user deleted)
      case 'raced':
      case 'invalid':
        throw new UnauthorizedException(INVALID_REFRESH);
    }
  }

  /** Ends the login the refresh token belongs to (see RefreshTokensService.findForLogout). */
  async logout(token: string): Promise<void> {
    const loginId = await this.refreshTokens.findForLogout(token);
    if (!loginId || !(await this.logins.revokeById(loginId, 'logout')))
      throw new UnauthorizedException(INVALID_REFRESH);
  }

  private async pair(
    login: Login,
    roles: Role[],
    refreshToken: string,
    refreshExpiresAt: Date,
  ): Promise<TokenPairResponse> {
    // auth_time and amr come from the login record: a refresh keeps the last proof's time.
    const { token, expiresIn } = await this.access.sign({
      userId: login.userId,
      loginId: login.id,
      roles,
      authenticatedAt: login.authenticatedAt,
      mfa: login.mfa,
    });
    return {
      accessToken: token,
      refreshToken,
      tokenType: 'Bearer',
      expiresIn,
      refreshExpiresIn: Math.max(0, Math.floor((refreshExpiresAt.getTime() - Date.now()) / 1000)),
    };
  }
}
