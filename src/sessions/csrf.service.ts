import { Injectable } from '@nestjs/common';
import { csrfSync } from 'csrf-sync';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Synchronizer-token CSRF defence (OWASP): a random token kept in the server-side session,
 * echoed by the client in `X-CSRF-Token` on state-changing requests authenticated by the cookie.
 */
@Injectable()
export class CsrfService {
  private readonly csrf = csrfSync({ getTokenFromRequest: (req) => req.get(CSRF_HEADER) });

  /** The session's token, made when it has none (or replaced, with `rotate`). */
  issue(req: Request, rotate = false): string {
    return this.csrf.generateToken(req, rotate);
  }

  /** Safe methods pass; others need the header to equal the session's token. */
  check(req: Request): boolean {
    if (SAFE_METHODS.has(req.method)) return true;
    const sent = this.csrf.getTokenFromRequest(req);
    const stored = this.csrf.getTokenFromState(req);
    if (typeof sent !== 'string' || typeof stored !== 'string') return false;
    const a = Buffer.from(sent);
    const b = Buffer.from(stored);
    // csrf-sync compares with ===; a constant-time comparison leaks nothing about the token.
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
