import session from 'express-session';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { loadOrCreateSecretFile } from '../common/secret-file.js';
import type { LoginsService } from './logins.service.js';
import { DatabaseSessionStore } from './session-store.js';

export const SESSION_COOKIE = 'sid';

/** The cookie options, shared by the middleware and by logout when it clears the cookie. */
export function sessionCookieOptions(config: Pick<AppConfig, 'session'>) {
  return { httpOnly: true, sameSite: 'lax', path: '/', secure: config.session.cookieSecure } as const;
}

/** Without SESSION_SECRET (outside production) a secret is made once and kept in DATA_DIR. */
function sessionSecret(config: Pick<AppConfig, 'session' | 'app'>): string {
  return (
    config.session.secret ??
    loadOrCreateSecretFile(join(config.app.dataDir, 'session-secret'), () => randomBytes(32).toString('base64url'))
  );
}

export function createSessionMiddleware(config: Pick<AppConfig, 'session' | 'app'>, db: DataSource, logins: LoginsService) {
  return session({
    name: SESSION_COOKIE,
    secret: sessionSecret(config),
    store: new DatabaseSessionStore(db, logins, config.session.idleTtlMs),
    // 256-bit ids; stored only as their SHA-256.
    genid: () => randomBytes(32).toString('base64url'),
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    cookie: { ...sessionCookieOptions(config), maxAge: config.session.idleTtlMs },
  });
}
