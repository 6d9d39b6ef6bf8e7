import { Injectable } from '@nestjs/common';
import { PassportSerializer } from '@nestjs/passport';
import type { SessionPrincipal } from '../sessions/session-store.js';

/** The session keeps ids only (user, login) — never the user object. */
@Injectable()
export class SessionSerializer extends PassportSerializer {
  serializeUser(principal: SessionPrincipal, done: (err: Error | null, id?: SessionPrincipal) => void): void {
    done(null, { userId: principal.userId, loginId: principal.loginId });
  }

  deserializeUser(principal: SessionPrincipal, done: (err: Error | null, principal?: SessionPrincipal) => void): void {
    done(null, principal);
  }
}
