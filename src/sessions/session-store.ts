import type { SessionData } from 'express-session';
import type { DataSource } from 'typeorm';
import type { LoginsService } from './logins.service.js';
import type { SessionBackend, StoredSession } from './session-cache.js';

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
 * Sessions on the service's own database, behind the session cache. Rows are keyed by the
 * SHA-256 of the session id and tied to a login record: reading a session also checks that its
 * login is not revoked and within its absolute lifetime, in the same query. Only sessions that
 * hold a login are written.
 */
export class DatabaseSessionStore implements SessionBackend {
  constructor(
    private readonly db: DataSource,
    private readonly logins: LoginsService,
    private readonly idleTtlMs: number,
  ) {}

  async load(hash: string): Promise<StoredSession | null> {
    const rows: Array<{
      data: SessionData;
      login_id: string;
      expires_at: Date | string;
      absolute_expires_at: Date | string;
    }> = await this.db.query(
      `SELECT s.data, s.login_id, s.expires_at, l.absolute_expires_at FROM http_sessions s JOIN logins l ON l.id = s.login_id
        WHERE s.sid_hash = $1 AND s.expires_at > now()
          AND l.revoked_at IS NULL AND l.absolute_expires_at > now()`,
      [hash],
    );
    const row = rows[0];
    if (!row) return null;
    const absoluteExpiresAt = new Date(row.absolute_expires_at).getTime();
    return {
      session: row.data,
      loginId: row.login_id,
      absoluteExpiresAt,
      idleExpiresAt: Math.min(new Date(row.expires_at).getTime(), absoluteExpiresAt),
    };
  }

  async save(hash: string, loginId: string, session: SessionData): Promise<void> {
    await this.db.query(
      `INSERT INTO http_sessions (sid_hash, login_id, data, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sid_hash) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`,
      [hash, loginId, JSON.stringify(session), new Date(Date.now() + this.idleTtlMs)],
    );
  }

  async touch(hash: string, loginId: string, idleExpiresAt: number): Promise<boolean> {
    const result: unknown = await this.db.query(
      `UPDATE http_sessions SET expires_at = $2 WHERE sid_hash = $1 AND expires_at > now()`,
      [hash, new Date(idleExpiresAt)],
    );
    // Gone or already expired in the database: a touch never brings it back.
    if (Array.isArray(result) && Number(result[1] ?? 1) === 0) return false;
    await this.logins.touch(loginId, this.idleTtlMs);
    return true;
  }

  async destroy(hash: string): Promise<void> {
    await this.db.query(`DELETE FROM http_sessions WHERE sid_hash = $1`, [hash]);
  }
}
