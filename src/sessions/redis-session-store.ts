import { Logger } from '@nestjs/common';
import type { SessionData } from 'express-session';
import type { Redis } from 'ioredis';
import type { LoginsService } from './logins.service.js';
import type { SessionBackend, StoredSession } from './session-cache.js';

/**
 * The commands the store uses, each on one key (or a script on one key): a single-node client
 * and an ioredis `Cluster` both fit, whatever slot each key lands in.
 */
export type SessionRedis = Pick<Redis, 'hmget' | 'eval' | 'del' | 'pexpire'>;

export const SESSION_KEY_PREFIX = 'nda:sess:';
/** login id → the SHA-256 of its session id, to find the entry when the login is revoked. */
export const SESSION_OF_LOGIN_PREFIX = 'nda:sess-of:';
/** What a revoked login's index key holds: a late write for that login is taken back. */
const REVOKED = 'revoked';
const RETRY_INTERVAL_MS = 5_000;
const MAX_PENDING = 100_000;
/** Revoked logins whose entries are looked up at once; the rest wait their turn. */
const BATCH = 200;

/** Replaces the entry: the session's JSON, its login, the login's absolute expiry, the touch time. */
const WRITE = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'data', ARGV[1], 'login', ARGV[2], 'abs', ARGV[3], 'touched', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

/** Points the login's index at its entry, unless the login was revoked meanwhile (0). */
const INDEX = `
if redis.call('GET', KEYS[1]) == ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`;

/**
 * Pushes an existing entry's idle expiry forward, never past its absolute one; returns the new
 * TTL, or 0 when the entry is gone (revoked, expired): a touch never brings one back.
 */
const TOUCH = `
local abs = tonumber(redis.call('HGET', KEYS[1], 'abs'))
if not abs then return 0 end
local ttl = math.min(tonumber(ARGV[2]), abs - tonumber(ARGV[1]))
if ttl <= 0 then redis.call('DEL', KEYS[1]) return 0 end
redis.call('HSET', KEYS[1], 'touched', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
return ttl`;

/** Marks the login revoked and returns what its index pointed at (its entry's hash, if any). */
const REVOKE = `
local hash = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return hash`;

/**
 * Sessions in Redis, used when REDIS_URL is set, behind the session cache. An entry is a hash under
 * `nda:sess:<SHA-256 of the session id>` (a copy of Redis holds no cookie anyone could replay):
 * the session's JSON (ids and the CSRF token), its login id, the login's absolute expiry, checked
 * on every read, and when it was last touched. Its TTL is the idle timeout, pushed forward at
 * most once a minute; `nda:sess-of:<login id>` finds the entry when the login is revoked.
 * Reading a session (on a cache miss) costs one Redis command and no database query: the guard
 * checks revocation against the in-memory revocation list. The login record stays in the database (devices list).
 *
 * connect-redis 9 was checked: it needs node-redis 5 (a second client next to ioredis), keys by
 * the raw session id, and expires in whole seconds with no absolute lifetime, so this thin store
 * over the client already in use fits better.
 */
export class RedisSessionStore implements SessionBackend {
  private readonly logger = new Logger(RedisSessionStore.name);
  /** How long a revoked login's mark stays: far beyond a login request still writing it. */
  private readonly revokedMarkMs: number;
  /** Revoked logins whose entries Redis could not drop yet, retried until it can. */
  private readonly pending = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly redis: SessionRedis,
    private readonly logins: LoginsService,
    private readonly idleTtlMs: number,
  ) {
    this.revokedMarkMs = Math.max(idleTtlMs, 60_000);
  }

  // A Redis error is passed on as it is: the request gets 503, never a silent logout.
  async load(hash: string): Promise<StoredSession | null> {
    const [data, login, abs, touched] = await this.redis.hmget(
      SESSION_KEY_PREFIX + hash,
      'data',
      'login',
      'abs',
      'touched',
    );
    const absoluteExpiresAt = Number(abs);
    if (!data || !login || !(absoluteExpiresAt > Date.now())) return null;
    let session: SessionData;
    try {
      session = JSON.parse(data) as SessionData;
    } catch {
      this.logger.warn('Unreadable session entry ignored');
      return null;
    }
    // The entry's TTL is the idle timeout from its last touch.
    const touchedAt = Number(touched);
    const idleExpiresAt = Number.isFinite(touchedAt)
      ? Math.min(touchedAt + this.idleTtlMs, absoluteExpiresAt)
      : Date.now();
    return { session, loginId: login, absoluteExpiresAt, idleExpiresAt };
  }

  async save(hash: string, loginId: string, session: SessionData): Promise<void> {
    // Once per login (sessions change only then): the absolute expiry comes from the record, and
    // a login revoked meanwhile gets no entry.
    const login = await this.logins.findActive(loginId);
    if (!login) return;
    const now = Date.now();
    const ttl = Math.min(this.idleTtlMs, login.absoluteExpiresAt.getTime() - now);
    if (ttl <= 0) return;
    const key = SESSION_KEY_PREFIX + hash;
    await this.redis.eval(
      WRITE,
      1,
      key,
      JSON.stringify(session),
      loginId,
      String(login.absoluteExpiresAt.getTime()),
      String(now),
      String(ttl),
    );
    // Entry first, then index: a revocation either finds the index pointing here, or has left
    // its mark, and the entry is taken back. (Two keys, possibly on two cluster nodes: no MULTI.)
    if ((await this.redis.eval(INDEX, 1, SESSION_OF_LOGIN_PREFIX + loginId, hash, REVOKED, String(ttl))) === 0) {
      await this.redis.del(key);
    }
  }

  async touch(hash: string, loginId: string, idleExpiresAt: number): Promise<boolean> {
    const now = Date.now();
    const ttl = await this.redis.eval(
      TOUCH,
      1,
      SESSION_KEY_PREFIX + hash,
      String(now),
      String(Math.max(1, idleExpiresAt - now)),
    );
    if (!(Number(ttl) > 0)) return false;
    await this.redis.pexpire(SESSION_OF_LOGIN_PREFIX + loginId, Number(ttl));
    await this.logins.touch(loginId, this.idleTtlMs);
    return true;
  }

  async destroy(hash: string): Promise<void> {
    await this.redis.del(SESSION_KEY_PREFIX + hash);
  }

  /**
   * Drops the entries of revoked logins, so the store stops serving them once the revocation
   * list has forgotten them. While Redis is away they are retried every few seconds.
   */
  forget(loginIds: string[]): void {
    for (const id of loginIds) {
      if (this.pending.size >= MAX_PENDING) break;
      this.pending.add(id);
    }
    this.track(this.drop());
  }

  /** Waits for the drops under way and tries once more those still pending (shutdown). */
  async flush(): Promise<void> {
    clearTimeout(this.retry);
    this.retry = undefined;
    await Promise.all(this.inFlight);
    if (this.pending.size > 0) await this.drop();
    if (this.pending.size > 0)
      this.logger.error(`${this.pending.size} revoked session entries could not be removed from Redis`);
    clearTimeout(this.retry);
  }

  private async drop(): Promise<void> {
    const ids = [...this.pending];
    for (let i = 0; i < ids.length; i += BATCH) {
      const results = await Promise.allSettled(
        ids.slice(i, i + BATCH).map(async (id) => {
          const hash = await this.redis.eval(
            REVOKE,
            1,
            SESSION_OF_LOGIN_PREFIX + id,
            REVOKED,
            String(this.revokedMarkMs),
          );
          if (typeof hash === 'string' && hash !== REVOKED) await this.redis.del(SESSION_KEY_PREFIX + hash);
          this.pending.delete(id);
        }),
      );
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) {
        this.logger.warn(`Removing revoked sessions from Redis failed, retrying: ${(failed.reason as Error).message}`);
        this.retryLater();
        return;
      }
    }
  }

  private retryLater(): void {
    if (this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.track(this.drop());
    }, RETRY_INTERVAL_MS);
    this.retry.unref();
  }

  private track(work: Promise<void>): void {
    const tracked = work.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}
