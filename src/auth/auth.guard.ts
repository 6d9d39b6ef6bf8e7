import {
  ForbiddenException,
  Inject,
  Injectable,
  Optional,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { CsrfService } from '../sessions/csrf.service.js';
import { RevocationListService } from '../tokens/revocation-list.service.js';
import { TokenActivityService } from '../tokens/token-activity.service.js';
import type { Role } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { AuthMode } from '../auth-decorators/auth-mode.js';
import type { AuthUser } from '../auth-decorators/auth-user.js';
import { BEARER_VERIFIER, type BearerVerifier } from './bearer-verifier.js';
import { AUTH_METADATA, PUBLIC_METADATA, ROLES_METADATA } from '../auth-decorators/auth.decorator.js';

/** Secure by default: a route that declares nothing accepts a login of either kind. */
const UNDECLARED: AuthMode[] = [AuthMode.Session, AuthMode.Jwt];
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i; // RFC 7235: the scheme is case-insensitive

/**
 * The one global guard. The route's declaration picks the path: a bearer header is decided by
 * the JWT path, otherwise a session cookie by the session path (with CSRF on unsafe methods).
 * A credential the route does not accept is a 401 even when valid, and a rejected credential
 * is a 401, never a fall-back to the other mechanism.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly users: UsersService,
    private readonly csrf: CsrfService,
    @Optional() @Inject(BEARER_VERIFIER) private readonly bearer?: BearerVerifier,
    @Optional() private readonly tokenActivity?: TokenActivityService,
    @Optional() private readonly revocations?: RevocationListService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, targets)) return true;
    const modes = this.reflector.getAllAndOverride<AuthMode[]>(AUTH_METADATA, targets) ?? UNDECLARED;
    const roles = this.reflector.getAllAndOverride<Role[]>(ROLES_METADATA, targets) ?? [];

    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const user = await this.authenticate(request, http.getResponse<Response>(), modes);
    if (!roles.every((role) => user.roles.includes(role))) {
      throw new ForbiddenException(`This route requires the ${roles.join(', ')} role`);
    }
    request.auth = user;
    return true;
  }

  private async authenticate(request: Request, response: Response, modes: AuthMode[]): Promise<AuthUser> {
    const acceptsJwt = modes.includes(AuthMode.Jwt);
    const reject = (message: string, tokenRejected = false): never => {
      // RFC 6750 §3: a 401 on a route that takes bearer tokens says so.
      if (acceptsJwt) response.setHeader('WWW-Authenticate', `Bearer${tokenRejected ? ' error="invalid_token"' : ''}`);
      throw new UnauthorizedException(message);
    };

    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      if (!acceptsJwt) return reject('This route does not accept bearer tokens');
      const token = BEARER.exec(authorization)?.[1];
      if (!token || !this.bearer) return reject('Invalid access token', true);
      let user: AuthUser;
      try {
        user = await this.bearer.verify(token);
      } catch {
        return reject('Invalid or expired access token', true);
      }
      this.tokenActivity?.seen(user.loginId); // in memory; written once a minute
      return user;
    }

    const principal = request.session?.passport?.user;
    if (principal) {
      if (!modes.includes(AuthMode.Session)) return reject('This route does not accept session cookies');
      if (this.sessionRevoked(principal)) return reject('Session expired');
      if (!this.csrf.check(request)) throw new ForbiddenException('Missing or invalid CSRF token');
      const roles = await this.users.findRoles(principal.userId);
      if (!roles) return reject('Session expired');
      return { id: principal.userId, roles, loginId: principal.loginId, via: AuthMode.Session };
    }
    return reject('Authentication required');
  }

  /**
   * The session store (Redis) does not read the login record: a revoked login is refused here,
   * from the in-memory list the tokens use, on every instance within a second of the revocation
   * and after a restart (it loads from the database). The store drops the entry meanwhile.
   */
  private sessionRevoked(principal: { loginId: string }): boolean {
    return this.revocations?.isRevoked(principal.loginId) ?? false;
  }
}
