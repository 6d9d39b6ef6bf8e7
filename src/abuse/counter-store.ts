import type { RedisClient } from '../redis/redis-client.js';

/** A counter in a fixed window: how many hits, and how long until the window closes. */
export interface Count {
  count: number;
  ttlMs: number;
}

/**
 * Windowed counters for rate limits and login lockout, shared by every instance: in Redis when
 * REDIS_URL or REDIS_CLUSTER_NODES is set, otherwise in the database (DatabaseCounterStore).
 */
export interface CounterStore {
  /** Counts one hit; the first hit opens a window of `windowMs`. */
  hit(key: string, windowMs: number): Promise<Count>;
  /** Takes one hit back (never below zero), keeping the window; nothing when it has closed. */
  unhit(key: string): Promise<void>;
  /**
   * At once (on the database: one statement): the `reset` keys start over and the `unhit` keys
   * each lose a hit, as `reset` and `unhit` would. The two lists share no key.
   */
  settle(change: { reset?: string[]; unhit?: string[] }): Promise<void>;
  peek(key: string): Promise<Count>;
  reset(key: string): Promise<void>;
  /** Deletes up to `batch` closed windows; returns how many. */
  purgeExpired(batch: number): Promise<number>;
}

/** INCR and, on the first hit, PEXPIRE in one atomic script; returns the count and the TTL. */
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

/** DECR only an open window with a positive count: a closed one must not come back as -1 forever. */
const UNHIT = `
local count = tonumber(redis.call('GET', KEYS[1]))
if count and count > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

/**
 * Counters in Redis or a Redis Cluster. Every operation touches one key; each key is its own
 * hash tag, so a script's keys always sit in one slot and the counters of different clients
 * spread over the cluster's slots (and nodes). A script that ever takes two counters must give
 * both the same tag, or the cluster refuses it (CROSSSLOT).
 */
export class RedisCounterStore implements CounterStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix = 'nda:count:',
  ) {}

  /**
   * `nda:count:{rate:auth:203.0.113.7}`: the braces make the counter name the hash tag. A `}`
   * inside a name (client input) only ends the tag early: still one key, one slot.
   */
  redisKey(key: string): string {
    return `${this.prefix}{${key}}`;
  }

  async hit(key: string, windowMs: number): Promise<Count> {
    const [count, ttlMs] = (await this.redis.eval(HIT, 1, this.redisKey(key), String(windowMs))) as [number, number];
    return { count, ttlMs };
  }

  async unhit(key: string): Promise<void> {
    await this.redis.eval(UNHIT, 1, this.redisKey(key));
  }

  /** One command per key, side by side: the keys are in different slots of a cluster. */
  async settle({ reset = [], unhit = [] }: { reset?: string[]; unhit?: string[] }): Promise<void> {
    await Promise.all([...reset.map((key) => this.reset(key)), ...unhit.map((key) => this.unhit(key))]);
  }

  async peek(key: string): Promise<Count> {
    const redisKey = this.redisKey(key);
    const [count, ttlMs] = await Promise.all([this.redis.get(redisKey), this.redis.pttl(redisKey)]);
    return count === null || ttlMs <= 0 ? { count: 0, ttlMs: 0 } : { count: Number(count), ttlMs };
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.redisKey(key));
  }

  /** Redis expires its keys by itself. */
  purgeExpired(): Promise<number> {
    return Promise.resolve(0);
  }
}
