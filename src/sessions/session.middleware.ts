import { Logger } from '@nestjs/common';
import type { RequestHandler } from 'express';
import session from 'express-session';
import passport from 'passport';
import type { Store } from 'express-session';
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../config/app-config.js';
import { serviceSecret } from '../common/secret-file.js';
import { createReadOnlySessionPath } from './read-only-session.js';
import { CachedSessionStore } from './session-cache.js';

/**
 * The session cookie's name, decided here only: `__Host-sid` whenever the cookie is Secure, so
 * the browser refuses one planted by a sibling subdomain or over plain HTTP (RFC 6265bis
 * cookie prefixes); plain `sid` over HTTP in development, where a `__Host-` cookie cannot be set.
 */
export function sessionCookieName(config: Pick<AppConfig, 'session'>): string {
  return config.session.cookieSecure ? '__Host-sid' : 'sid';
}

/** The cookie options, shared by the middleware and by logout when it clears the cookie. */
export function sessionCookieOptions(config: Pick<AppConfig, 'session'>) {
  return { httpOnly: true, sameSite: 'lax', path: '/', secure: config.session.cookieSecure } as const;
}

/** The route that starts sessions; every other request needs one only if it brings a cookie. */
export const SESSION_LOGIN_PATH = '/api/auth/session/login';
/** Where a session login waiting for its second factor completes (a token login may too). */
export const MFA_VERIFY_PATH = '/api/auth/mfa/verify';

/**
 * express-session, then Passport (for `req.logIn`), on the requests that can use them: those
 * carrying the session cookie, and session login. Everything else — public routes, bearer-token
 * requests — skips both: no session id is generated, hashed and thrown away per request.
 * A request whose session record is cached and that changes no session takes the read-only path
 * (see read-only-session.ts); everything else goes through express-session.
 */
export function createSessionMiddleware(config: Pick<AppConfig, 'session' | 'app'>, store: Store): RequestHandler {
  const secret = serviceSecret(config.session.secret, config.app.dataDir);
  const sessions = expressSession(config, store, secret);
  const readOnly =
    store instanceof CachedSessionStore
      ? createReadOnlySessionPath(
          {
            cookieName: sessionCookieName(config),
            secrets: [secret],
            cookieOptions: sessionCookieOptions(config),
            idleTtlMs: config.session.idleTtlMs,
          },
          store,
        )
      : undefined;
  if (config.session.cookieSecure && config.app.trustProxy === false) {
    // express-session sends a Secure cookie only over TLS it can see: behind a TLS-terminating
    // proxy that means TRUST_PROXY, or session login silently sets no cookie.
    new Logger('Sessions').warn(
      'COOKIE_SECURE is on and TRUST_PROXY is off: behind a proxy, set TRUST_PROXY or no session cookie is sent',
    );
  }
  const initialize = passport.initialize() as RequestHandler;
  // Linear in the header: each whitespace run follows one `;`, so a failed match scans it once.
  const hasSessionCookie = new RegExp(`(?:^|;\\s*)${sessionCookieName(config)}=`);
  return (req, res, next) => {
    const cookie = req.headers.cookie;
    if (!(cookie && hasSessionCookie.test(cookie)) && !startsSession(req.path)) return next();
    if (cookie && readOnly?.(req, res, cookie)) return next();
    sessions(req, res, (error?: unknown) => (error ? next(error) : initialize(req, res, next)));
  };
}

/** As Express routes it: any letter case, with or without trailing slashes. */
export function isSessionLogin(path: string): boolean {
  return withoutTrailingSlashes(path.toLowerCase()) === SESSION_LOGIN_PATH;
}

/** The routes that may create a session: session login, and the second-factor step that completes one. */
export function startsSession(path: string): boolean {
  const route = withoutTrailingSlashes(path.toLowerCase());
  return route === SESSION_LOGIN_PATH || route === MFA_VERIFY_PATH;
}

/**
 * A loop, not `/\/+$/`: that regex retries from every slash of a run, so a long run of slashes
 * followed by another character costs quadratic time before any authentication.
 */
function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end--;
  return path.slice(0, end);
}

function expressSession(config: Pick<AppConfig, 'session' | 'app'>, store: Store, secret: string): RequestHandler {
  return session({
    name: sessionCookieName(config),
    secret,
    store,
    // 256-bit ids; stored only as their SHA-256.
    genid: () => randomBytes(32).toString('base64url'),
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    cookie: { ...sessionCookieOptions(config), maxAge: config.session.idleTtlMs },
  });
}
