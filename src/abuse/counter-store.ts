import type { Redis } from 'ioredis';

/** A counter in a fixed window: how many hits, and how long until the window closes. */
export interface Count {
  count: number;
  ttlMs: number;
}

/**
 * Windowed counters for rate limits and login lockout: in Redis when REDIS_URL is set (so every
 * instance counts together), otherwise in this process.
 */
export interface CounterStore {
  /** Counts one hit; the first hit opens a window of `windowMs`. */
  hit(key: string, windowMs: number): Promise<Count>;
  /** Takes one hit back (never below zero), keeping the window; nothing when it has closed. */
  unhit(key: string): Promise<void>;
  peek(key: string): Promise<Count>;
  reset(key: string): Promise<void>;
}

export class MemoryCounterStore implements CounterStore {
  private readonly counters = new Map<string, { count: number; expiresAt: number }>();
  private lastSweep = Date.now();

  async hit(key: string, windowMs: number): Promise<Count> {
    const now = Date.now();
    this.sweep(now);
    let counter = this.counters.get(key);
    if (!counter || counter.expiresAt <= now) {
      counter = { count: 0, expiresAt: now + windowMs };
      this.counters.set(key, counter);
    }
    counter.count += 1;
    return { count: counter.count, ttlMs: counter.expiresAt - now };
  }

  async unhit(key: string): Promise<void> {
    const counter = this.counters.get(key);
    if (counter && counter.expiresAt > Date.now() && counter.count > 0) counter.count -= 1;
  }

  async peek(key: string): Promise<Count> {
    const now = Date.now();
    const counter = this.counters.get(key);
    return counter && counter.expiresAt > now ? { count: counter.count, ttlMs: counter.expiresAt - now } : { count: 0, ttlMs: 0 };
  }

  async reset(key: string): Promise<void> {
    this.counters.delete(key);
  }

  /** Drops closed windows now and then, so the map cannot grow without bound. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, counter] of this.counters) if (counter.expiresAt <= now) this.counters.delete(key);
  }
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

export class RedisCounterStore implements CounterStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'nda:count:',
  ) {}

  async hit(key: string, windowMs: number): Promise<Count> {
    const [count, ttlMs] = (await this.redis.eval(HIT, 1, this.prefix + key, String(windowMs))) as [number, number];
    return { count, ttlMs };
  }

  async unhit(key: string): Promise<void> {
    await this.redis.eval(UNHIT, 1, this.prefix + key);
  }

  async peek(key: string): Promise<Count> {
    const [count, ttlMs] = await Promise.all([this.redis.get(this.prefix + key), this.redis.pttl(this.prefix + key)]);
    return count === null || ttlMs <= 0 ? { count: 0, ttlMs: 0 } : { count: Number(count), ttlMs };
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}
