import { Logger } from '@nestjs/common';
import { Store, type SessionData } from 'express-session';
import { sha256Hex } from '../common/hash.js';

/** How often an unchanged session's idle expiry (and its login's last use) is written back. */
export const TOUCH_INTERVAL_MS = 60_000;
/**
 * The longest a record is served from memory without reading the store again: the broadcast
 * evicts at once, and this bounds a broadcast that never arrived (the revocation list's reload
 * interval, which covers the same case for tokens).
 */
export const MAX_RECORD_AGE_MS = 30_000;
export const DEFAULT_CACHE_SIZE = 10_000;

/** A session as a store holds it, with what decides whether it is still valid. */
export interface StoredSession {
  session: SessionData;
  loginId: string;
  /** The login's absolute lifetime ends here, whatever happens. */
  absoluteExpiresAt: number;
  /** Idle expiry as of the store's last touch (never past the absolute one). */
  idleExpiresAt: number;
}

/** What a store behind the cache does: read with the expiries, write, push the idle expiry, delete. */
export interface SessionBackend {
  /** Null when unknown, expired or (where the store can tell) revoked. */
  load(hash: string): Promise<StoredSession | null>;
  save(hash: string, loginId: string, session: SessionData): Promise<void>;
  /** Pushes the idle expiry to `idleExpiresAt` (never past the absolute one); false when the session is gone. */
  touch(hash: string, loginId: string, idleExpiresAt: number): Promise<boolean>;
  destroy(hash: string): Promise<void>;
}

interface Entry extends StoredSession {
  hash: string;
  /** When this instance read it from the store. */
  loadedAt: number;
  /** When the idle expiry was last pushed (by this instance, or as read from the store). */
  touchedAt: number;
  /** The session's JSON, copied for each request that may change it. */
  json: string;
}

export type Lookup =
  | { state: 'hit'; entry: Readonly<StoredSession> }
  /** Not cached, too old, or past its idle expiry as this instance knows it: read the store. */
  | { state: 'miss' };

/**
 * Session records kept in process, by the SHA-256 of the session id, so that a request with a
 * known cookie reads no store. Bounded (least recently used goes first). Kept coherent by the
 * revocation broadcast: `forgetLogins` on every instance for logout, revoke, password change and
 * deletion; `clear` when the broadcast reconnects (messages may have been missed). A record is
 * re-read after MAX_RECORD_AGE_MS whatever happens, and before it is declared idle-expired:
 * another instance may have touched it. lru-cache was checked: its TTL is per cache, not per
 * entry from the record, and the login-id index below would sit beside it anyway; a Map in
 * insertion order is the whole LRU needed here.
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  /** login id → its session's hash (one session per login). */
  private readonly byLogin = new Map<string, string>();
  readonly touchIntervalMs: number;

  constructor(
    readonly idleTtlMs: number,
    private readonly maxEntries = DEFAULT_CACHE_SIZE,
    private readonly now: () => number = Date.now,
  ) {
    // A short idle timeout needs more frequent touches, or active sessions would lapse.
    this.touchIntervalMs = Math.min(TOUCH_INTERVAL_MS, idleTtlMs / 4);
  }

  get size(): number {
    return this.entries.size;
  }

  lookup(hash: string): Lookup {
    const entry = this.entries.get(hash);
    if (!entry) return { state: 'miss' };
    const now = this.now();
    if (now >= entry.absoluteExpiresAt || now >= entry.idleExpiresAt || now - entry.loadedAt >= MAX_RECORD_AGE_MS) {
      this.delete(entry);
      return { state: 'miss' };
    }
    // Most recently used last: the first in the map goes when it is full.
    this.entries.delete(hash);
    this.entries.set(hash, entry);
    return { state: 'hit', entry };
  }

  /** A copy of the cached session that its request may change. */
  copy(entry: Readonly<StoredSession>): SessionData {
    const json = (entry as Partial<Entry>).json;
    return json === undefined ? structuredClone(entry.session) : (JSON.parse(json) as SessionData);
  }

  put(hash: string, stored: StoredSession, touchedAt: number): void {
    const existing = this.entries.get(hash);
    if (existing) this.delete(existing);
    const previous = this.byLogin.get(stored.loginId);
    if (previous !== undefined) this.remove(previous);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.values().next().value as Entry;
      this.delete(oldest);
    }
    const entry: Entry = { ...stored, hash, loadedAt: this.now(), touchedAt, json: JSON.stringify(stored.session) };
    this.entries.set(hash, entry);
    this.byLogin.set(stored.loginId, hash);
  }

  /**
   * Whether this request should push the idle expiry forward: at most once per touch interval
   * per session on this instance. When it says yes it has already recorded the touch, so
   * concurrent requests do not write too.
   */
  claimTouch(entry: Readonly<StoredSession>): boolean {
    const cached = entry as Entry;
    const now = this.now();
    if (now - cached.touchedAt < this.touchIntervalMs) return false;
    cached.touchedAt = now;
    cached.idleExpiresAt = Math.min(now + this.idleTtlMs, cached.absoluteExpiresAt);
    return true;
  }

  remove(hash: string): void {
    const entry = this.entries.get(hash);
    if (entry) this.delete(entry);
  }

  /** Ended logins: their sessions are read from the store again (which refuses them). */
  forgetLogins(loginIds: Iterable<string>): void {
    for (const id of loginIds) {
      const hash = this.byLogin.get(id);
      if (hash !== undefined) this.remove(hash);
    }
  }

  clear(): void {
    this.entries.clear();
    this.byLogin.clear();
  }

  private delete(entry: Entry): void {
    this.entries.delete(entry.hash);
    if (this.byLogin.get(entry.loginId) === entry.hash) this.byLogin.delete(entry.loginId);
  }
}

/**
 * The express-session store: the cache in front of the database or Redis backend. Reads come
 * from the cache when it holds a valid record; writes and deletions go to the backend and drop
 * the cached record (the next read loads what was written); touches are written at most once per
 * touch interval.
 */
export class CachedSessionStore extends Store {
  private readonly logger = new Logger('SessionStore');

  constructor(
    readonly cache: SessionCache,
    readonly backend: SessionBackend,
  ) {
    super();
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    const hash = sha256Hex(sid);
    const found = this.cache.lookup(hash);
    if (found.state === 'hit') return callback(null, this.cache.copy(found.entry));
    this.read(hash).then((stored) => callback(null, stored ? this.cache.copy(stored) : null), callback);
  }

  /** Reads the backend and caches what it found (for a read-only use; `copy` it to change it). */
  async read(hash: string): Promise<Readonly<StoredSession> | null> {
    const stored = await this.backend.load(hash);
    if (!stored) {
      this.cache.remove(hash);
      return null;
    }
    // When it was last touched is not known here: the idle expiry says enough (a touch is due
    // once less than the idle timeout minus one interval is left).
    this.cache.put(hash, stored, stored.idleExpiresAt - this.cache.idleTtlMs);
    const found = this.cache.lookup(hash);
    // The store has just said it is valid: a clock a little ahead of the database's does not
    // log anyone out (the record is then simply not kept).
    return found.state === 'hit' ? found.entry : stored;
  }

  override set(sid: string, session: SessionData, callback?: (err?: unknown) => void): void {
    const loginId = session.passport?.user?.loginId;
    const hash = sha256Hex(sid);
    this.cache.remove(hash);
    // Only logged-in sessions are kept; there is nothing else a session is used for.
    if (!loginId) return callback?.();
    void this.backend.save(hash, loginId, session).then(() => {
      // A request loading it meanwhile may have cached what was there before.
      this.cache.remove(hash);
      callback?.();
    }, callback);
  }

  override touch(sid: string, session: SessionData, callback?: () => void): void {
    const found = this.cache.lookup(sha256Hex(sid));
    if (found.state !== 'hit' || !session.passport?.user?.loginId) return callback?.();
    const touching = this.touchCached(found.entry);
    if (!touching) return callback?.();
    void touching.finally(() => callback?.());
  }

  /**
   * Pushes a cached session's idle expiry when a touch is due (undefined otherwise); the write
   * runs in the background and never fails the request.
   */
  touchCached(entry: Readonly<StoredSession>): Promise<void> | undefined {
    if (!this.cache.claimTouch(entry)) return undefined;
    const hash = (entry as Entry).hash;
    return this.backend.touch(hash, entry.loginId, entry.idleExpiresAt).then(
      (alive) => {
        if (!alive) this.cache.remove(hash);
      },
      // A missed touch only shortens the idle window; the request itself has succeeded. The
      // record is read again next time, so the store's own expiry decides.
      (error: unknown) => {
        this.logger.warn(`Session touch failed: ${(error as Error).message}`);
        this.cache.remove(hash);
      },
    );
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    const hash = sha256Hex(sid);
    this.cache.remove(hash);
    void this.backend.destroy(hash).then(() => callback?.(), callback);
  }
}
