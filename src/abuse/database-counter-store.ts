import type { Repository } from 'typeorm';
import { sha256Hex } from '../common/hash.js';
import { AbuseCounter } from './abuse-counter.entity.js';
import type { Count, CounterStore } from './counter-store.js';

/** Keys carry client input (a forwarded IP can be any string): long ones are stored by their hash. */
const MAX_KEY_LENGTH = 200;

/** Milliseconds left in the window, by the database clock, rounded up. */
const TTL_MS = `GREATEST(0, CEIL(EXTRACT(EPOCH FROM (expires_at - now())) * 1000))::float8 AS ttl_ms`;

/**
 * Opens a window on the first hit or on the first hit after it closed, otherwise counts one
 * more; one statement, so parallel hits on any number of instances each get their own count.
 */
const HIT = `
  INSERT INTO abuse_counters AS c (key, count, expires_at)
  VALUES ($1, 1, now() + $2::float8 * interval '1 millisecond')
  ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN c.expires_at <= now() THEN 1 ELSE c.count + 1 END,
    expires_at = CASE WHEN c.expires_at <= now() THEN EXCLUDED.expires_at ELSE c.expires_at END
  RETURNING count, ${TTL_MS}`;

/**
 * RESET of $2 and UNHIT of $3 in one statement, after locking all of them ($1) in key order:
 * two such statements that share keys never wait on each other in a cycle.
 */
const SETTLE = `
  WITH locked AS (SELECT key FROM abuse_counters WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE),
  reset AS (DELETE FROM abuse_counters c USING locked WHERE c.key = locked.key AND c.key = ANY($2::text[]))
  UPDATE abuse_counters c SET count = c.count - 1 FROM locked
   WHERE c.key = locked.key AND c.key = ANY($3::text[]) AND c.expires_at > now() AND c.count > 0`;

/** Only an open window with a positive count loses a hit: a closed one starts over at the next hit anyway. */
const UNHIT = `UPDATE abuse_counters SET count = count - 1 WHERE key = $1 AND expires_at > now() AND count > 0`;

const PEEK = `SELECT count, ${TTL_MS} FROM abuse_counters WHERE key = $1 AND expires_at > now()`;

const RESET = `DELETE FROM abuse_counters WHERE key = $1`;

/** SKIP LOCKED: several instances purge at once without waiting on each other or on a hit. */
const PURGE = `
  DELETE FROM abuse_counters WHERE key IN (
    SELECT key FROM abuse_counters WHERE expires_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED)
  AND expires_at <= now()`;

interface CountRow {
  count: number | string;
  ttl_ms: number | string;
}

/**
 * Counters in the service's database, for when no Redis is configured: every instance on the
 * database counts together, and a restart forgets nothing. Each operation is one statement,
 * timed by the database clock so instances with skewed clocks agree on every window.
 */
export class DatabaseCounterStore implements CounterStore {
  constructor(private readonly db: Pick<Repository<AbuseCounter>, 'query'>) {}

  async hit(key: string, windowMs: number): Promise<Count> {
    const rows: CountRow[] = await this.db.query(HIT, [storedKey(key), windowMs]);
    return toCount(rows[0]);
  }

  async settle({ reset = [], unhit = [] }: { reset?: string[]; unhit?: string[] }): Promise<void> {
    const resetKeys = reset.map(storedKey);
    const unhitKeys = unhit.map(storedKey);
    if (resetKeys.some((key) => unhitKeys.includes(key))) throw new Error('settle takes a key once');
    await this.db.query(SETTLE, [[...resetKeys, ...unhitKeys], resetKeys, unhitKeys]);
  }

  async unhit(key: string): Promise<void> {
    await this.db.query(UNHIT, [storedKey(key)]);
  }

  async peek(key: string): Promise<Count> {
    const rows: CountRow[] = await this.db.query(PEEK, [storedKey(key)]);
    return toCount(rows[0]);
  }

  async reset(key: string): Promise<void> {
    await this.db.query(RESET, [storedKey(key)]);
  }

  async purgeExpired(batch: number): Promise<number> {
    const result: unknown = await this.db.query(PURGE, [batch]);
    return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
  }
}

function storedKey(key: string): string {
  return key.length <= MAX_KEY_LENGTH ? key : `sha256:${sha256Hex(key)}`;
}

function toCount(row: CountRow | undefined): Count {
  return row ? { count: Number(row.count), ttlMs: Number(row.ttl_ms) } : { count: 0, ttlMs: 0 };
}
