import { ForbiddenException, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-strategy';
import { CsrfService } from '../sessions/csrf.service.js';
import type { SessionPrincipal } from '../sessions/session-store.js';
import { RevocationListService } from '../tokens/revocation-list.service.js';
import { UsersService } from '../users/users.service.js';
import { AuthMode } from '../auth-decorators/auth-mode.js';
import type { AuthUser } from '../auth-decorators/auth-user.js';

type Verify = (
  request: Request,
  principal: SessionPrincipal,
  done: (error: unknown, user?: AuthUser | false) => void,
) => void;

/**
 * Hands the principal that session login stored (`req.session.passport.user`, ids only) to
 * `verify`; fails without one. express-session has already loaded the session, and its store
 * refused an expired one. passport-custom would do the same with a looser signature;
 * this is the whole of it.
 */
export class SessionPrincipalStrategy extends Strategy {
  constructor(private readonly verify: Verify) {
    super();
  }

  override authenticate(request: Request): void {
    const principal = request.session?.passport?.user;
    if (!principal) return this.fail(401);
    this.verify(request, principal, (error, user) => {
      if (error) this.error(error as Error);
      else if (user) this.success(user);
      else this.fail(401);
    });
  }
}

/**
 * The cookie path: the session's principal, with the user's current roles. CSRF is checked here,
 * on unsafe methods, because a cookie is sent by the browser whoever wrote the page: a cookie
 * without the session's token does not authenticate a state change, for our global guard and for
 * an `AuthGuard('session')` alike (403, before any lookup).
 * Registered as `session`, it replaces Passport's built-in strategy of that name, which only
 * `passport.session()` uses: this service never mounts that middleware (the guard decides).
 */
@Injectable()
export class SessionStrategy extends PassportStrategy(SessionPrincipalStrategy, AuthMode.Session) {
  constructor(
    private readonly users: UsersService,
    private readonly csrf: CsrfService,
    private readonly revocations: RevocationListService,
  ) {
    super();
  }

  async validate(request: Request, principal: SessionPrincipal): Promise<AuthUser | false> {
    // The Redis store does not read the login record: a revoked login is refused from the
    // in-memory list the tokens use, on every instance within a second of the revocation and
    // after a restart (it loads from the database). The store drops the entry meanwhile.
    if (this.revocations.isRevoked(principal.loginId)) return false;
    if (!this.csrf.check(request)) throw new ForbiddenException('Missing or invalid CSRF token');
    const roles = await this.users.findRoles(principal.userId);
    if (!roles) return false;
    return { id: principal.userId, roles, loginId: principal.loginId, via: AuthMode.Session };
  }
}
