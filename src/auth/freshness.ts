import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Response } from 'express';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { LoginsService } from '../sessions/logins.service.js';
import { AuthMode } from '../auth-decorators/auth-mode.js';
import type { AuthUser } from '../auth-decorators/auth-user.js';
import type { FreshDeclaration } from '../auth-decorators/fresh.decorator.js';

/** RFC 9470 §3's error code: the login is real, but proved too long ago for this route. */
export const INSUFFICIENT_USER_AUTHENTICATION = 'insufficient_user_authentication';

/**
 * `@Fresh()`: the login must have proved the password (or a second factor) within the route's
 * maximum age. Bearer requests read `auth_time` from the token (no database); cookie sessions
 * read the login record, on fresh routes only. No clock leeway: a proof one second too old is
 * too old.
 */
@Injectable()
export class Freshness {
  private readonly defaultMaxAgeMs: number;

  constructor(
    private readonly logins: LoginsService,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.defaultMaxAgeMs = config.get('auth.freshMaxAgeMs', { infer: true });
  }

  async require(user: AuthUser, declaration: FreshDeclaration, response: Response): Promise<void> {
    const maxAgeMs = declaration.maxAgeMs ?? this.defaultMaxAgeMs;
    const provenAtMs = await this.provenAtMs(user);
    if (provenAtMs !== undefined && Date.now() - provenAtMs <= maxAgeMs) return;
    const maxAge = Math.floor(maxAgeMs / 1000);
    if (user.via === AuthMode.Jwt) {
      response.setHeader('WWW-Authenticate', `Bearer error="${INSUFFICIENT_USER_AUTHENTICATION}", max_age=${maxAge}`);
    }
    throw new UnauthorizedException({
      statusCode: 401,
      message: `This action needs a login proved within the last ${maxAge} seconds: POST /api/auth/reauthenticate first`,
      error: INSUFFICIENT_USER_AUTHENTICATION,
      maxAge,
    });
  }

  /** When the login last proved the password: the token's `auth_time`, or the session's login record. */
  private async provenAtMs(user: AuthUser): Promise<number | undefined> {
    if (user.via !== AuthMode.Jwt) return (await this.logins.provenAt(user.loginId))?.getTime();
    return user.authTime === undefined ? undefined : user.authTime * 1000;
  }
}
