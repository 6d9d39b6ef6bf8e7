import {
  ForbiddenException,
  Injectable,
  Optional,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { TokenActivityService } from '../tokens/token-activity.service.js';
import type { Role } from '../users/user.entity.js';
import { AuthMode } from '../auth-decorators/auth-mode.js';
import type { AuthUser } from '../auth-decorators/auth-user.js';
import { AUTH_METADATA, PUBLIC_METADATA, ROLES_METADATA } from '../auth-decorators/auth.decorator.js';
import { FRESH_METADATA, type FreshDeclaration } from '../auth-decorators/fresh.decorator.js';
import { Freshness } from './freshness.js';
import { JwtStrategy } from './jwt.strategy.js';
import { runStrategy } from './run-strategy.js';
import { SessionStrategy } from './session.strategy.js';

/** Secure by default: a route that declares nothing accepts a login of either kind. */
const UNDECLARED: AuthMode[] = [AuthMode.Session, AuthMode.Jwt];

/**
 * The one global guard. The route's declaration picks the path: a bearer header is decided by
 * the jwt strategy, otherwise a session cookie by the session strategy (with CSRF on unsafe
 * methods). A credential the route does not accept is a 401 even when valid, and a rejected
 * credential is a 401, never a fall-back to the other mechanism. The strategies are this app's
 * own instances, run directly (see runStrategy), not looked up in Passport's process-wide registry.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtStrategy,
    private readonly session: SessionStrategy,
    private readonly freshness: Freshness,
    @Optional() private readonly tokenActivity?: TokenActivityService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, targets)) return true;
    const modes = this.reflector.getAllAndOverride<AuthMode[]>(AUTH_METADATA, targets) ?? UNDECLARED;
    const roles = this.reflector.getAllAndOverride<Role[]>(ROLES_METADATA, targets) ?? [];

    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const user = await this.authenticate(request, response, modes);
    if (!roles.every((role) => user.roles.includes(role))) {
      throw new ForbiddenException(`This route requires the ${roles.join(', ')} role`);
    }
    // Step-up last: it only matters to a caller who may use the route at all.
    const fresh = this.reflector.getAllAndOverride<FreshDeclaration>(FRESH_METADATA, targets);
    if (fresh) await this.freshness.require(user, fresh, response);
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
      const { user } = await runStrategy<AuthUser>(this.jwt, request);
      if (!user) return reject('Invalid or expired access token', true);
      this.tokenActivity?.seen(user.loginId); // in memory; written once a minute
      return user;
    }

    if (request.session?.passport?.user) {
      if (!modes.includes(AuthMode.Session)) return reject('This route does not accept session cookies');
      // A missing CSRF token is thrown by the strategy as a 403.
      const { user } = await runStrategy<AuthUser>(this.session, request);
      if (!user) return reject('Session expired');
      return user;
    }
    return reject('Authentication required');
  }
}
