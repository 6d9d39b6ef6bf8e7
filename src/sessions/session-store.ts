import { Logger } from '@nestjs/common';
import { Store, type SessionData } from 'express-session';
import type { DataSource } from 'typeorm';
import { sha256Hex } from '../common/hash.js';
import type { LoginsService } from './logins.service.js';

/** How often an unchanged session's expiry (and its login's last use) is written back. */
export const TOUCH_INTERVAL_MS = 60_000;
const MAX_TRACKED = 10_000;

export interface SessionPrincipal {
  userId: string;
  loginId: string;
}

declare module 'express-session' {
  interface SessionData {
    passport?: { user?: SessionPrincipal };
  }
}

/**
 * express-session store on the service's own database. Rows are keyed by the SHA-256 of the
 * session id and tied to a login record: reading a session also checks that its login is not
 * revoked and within its absolute lifetime, in the same query. express-session calls it only for
 * requests that carry a signed `sid` cookie, and writes only sessions that hold a login.
 */
export class DatabaseSessionStore extends Store {
  private readonly logger = new Logger(DatabaseSessionStore.name);
  /** sid hash → when this instance last wrote its expiry; bounds writes to one a minute. */
  private readonly touchedAt = new Map<string, number>();
  /** A short idle timeout needs more frequent touches, or active sessions would lapse. */
  private readonly touchIntervalMs: number;

  constructor(
    private readonly db: DataSource,
    private readonly logins: LoginsService,
    private readonly idleTtlMs: number,
  ) {
    super();
    this.touchIntervalMs = Math.min(TOUCH_INTERVAL_MS, idleTtlMs / 4);
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    this.db
      .query(
        `SELECT s.data FROM http_sessions s JOIN logins l ON l.id = s.login_id
          WHERE s.sid_hash = $1 AND s.expires_at > now()
            AND l.revoked_at IS NULL AND l.absolute_expires_at > now()`,
        [sha256Hex(sid)],
      )
      .then((rows: Array<{ data: SessionData }>) => callback(null, rows[0]?.data ?? null), callback);
  }

  override set(sid: string, session: SessionData, callback?: (err?: unknown) => void): void {
    const loginId = session.passport?.user?.loginId;
    // Only logged-in sessions are kept; there is nothing else a session is used for.
    if (!loginId) return callback?.();
    const hash = sha256Hex(sid);
    this.db
      .query(
        `INSERT INTO http_sessions (sid_hash, login_id, data, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (sid_hash) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`,
        [hash, loginId, JSON.stringify(session), this.expiry(session)],
      )
      .then(() => {
        this.remember(hash);
        callback?.();
      }, callback);
  }

  override touch(sid: string, session: SessionData, callback?: () => void): void {
    const hash = sha256Hex(sid);
    const loginId = session.passport?.user?.loginId;
    const last = this.touchedAt.get(hash);
    if (!loginId || (last !== undefined && Date.now() - last < this.touchIntervalMs)) return callback?.();
    this.remember(hash);
    this.db
      .query(`UPDATE http_sessions SET expires_at = $2 WHERE sid_hash = $1`, [hash, this.expiry(session)])
      .then(() => this.logins.touch(loginId, this.idleTtlMs))
      // A missed touch only shortens the idle window; the request itself has succeeded.
      .catch((error: unknown) => this.logger.warn(`Session touch failed: ${(error as Error).message}`))
      .finally(() => callback?.());
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    const hash = sha256Hex(sid);
    this.touchedAt.delete(hash);
    this.db.query(`DELETE FROM http_sessions WHERE sid_hash = $1`, [hash]).then(() => callback?.(), callback);
  }

  private expiry(session: SessionData): Date {
    return session.cookie.expires ? new Date(session.cookie.expires) : new Date(Date.now() + this.idleTtlMs);
  }

  private remember(hash: string): void {
    if (this.touchedAt.size >= MAX_TRACKED) this.touchedAt.clear();
    this.touchedAt.set(hash, Date.now());
  }
}
