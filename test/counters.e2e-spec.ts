import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { DatabaseCounterStore } from '../src/abuse/database-counter-store.js';
import { PurgeJob } from '../src/auth/purge.job.js';
import { createUser } from './support/kit.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let keyCount = 0;
const uniqueKey = () => `spec:${process.pid}:${Date.now()}:${++keyCount}`;

describe('DatabaseCounterStore', () => {
  let t: TestApp;
  let store: DatabaseCounterStore;
  beforeAll(async () => {
    // Without Redis the app's own counters (the purge job's) are the database's too.
    t = await createTestApp({ env: { REDIS_URL: '' } });
    store = new DatabaseCounterStore(t.app.get(DataSource));
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts hits in one window and reports the time left in it', async () => {
    const key = uniqueKey();
    await expect(store.peek(key)).resolves.toEqual({ count: 0, ttlMs: 0 });
    const first = await store.hit(key, 60_000);
    expect(first.count).toBe(1);
    expect(first.ttlMs).toBeGreaterThan(50_000);
    expect(first.ttlMs).toBeLessThanOrEqual(60_000);
    expect((await store.hit(key, 60_000)).count).toBe(2);
    const peeked = await store.peek(key);
    expect(peeked.count).toBe(2);
    expect(peeked.ttlMs).toBeGreaterThan(0);
    expect(peeked.ttlMs).toBeLessThanOrEqual(first.ttlMs);
    // Another key is another counter.
    expect((await store.hit(uniqueKey(), 60_000)).count).toBe(1);
  });

  it('a closed window starts over at 1 and is no longer counted', async () => {
    const key = uniqueKey();
    await store.hit(key, 1000);
    await store.hit(key, 1000);
    await sleep(1100);
    await expect(store.peek(key)).resolves.toEqual({ count: 0, ttlMs: 0 });
    await store.unhit(key);
    expect((await store.hit(key, 1000)).count).toBe(1);
  });

  it('windows are timed by the database clock, not the process clock', async () => {
    const key = uniqueKey();
    await store.hit(key, 60_000);
    // Moving the row's end into the database's past closes the window whatever this process's clock says.
    await t.app
      .get(DataSource)
      .query(`UPDATE abuse_counters SET expires_at = now() - interval '1 second' WHERE key = $1`, [key]);
    await expect(store.peek(key)).resolves.toEqual({ count: 0, ttlMs: 0 });
    expect((await store.hit(key, 60_000)).count).toBe(1);
  });

  it('unhit takes one hit back and never goes below zero', async () => {
    const key = uniqueKey();
    await store.unhit(key);
    await store.hit(key, 60_000);
    await store.hit(key, 60_000);
    await store.unhit(key);
    expect((await store.peek(key)).count).toBe(1);
    await store.unhit(key);
    await store.unhit(key);
    await store.unhit(key);
    expect((await store.peek(key)).count).toBe(0);
    expect((await store.hit(key, 60_000)).count).toBe(1);
  });

  it('reset forgets the counter', async () => {
    const key = uniqueKey();
    await store.hit(key, 60_000);
    await store.hit(key, 60_000);
    await store.reset(key);
    await expect(store.peek(key)).resolves.toEqual({ count: 0, ttlMs: 0 });
    expect((await store.hit(key, 60_000)).count).toBe(1);
  });

  it('settle resets some keys and takes a hit back from others, in one go', async () => {
    const [reset, unhit, closed] = [uniqueKey(), uniqueKey(), uniqueKey()];
    for (const key of [reset, unhit, reset, unhit]) await store.hit(key, 60_000);
    await store.hit(closed, 60_000);
    await t.app
      .get(DataSource)
      .query(`UPDATE abuse_counters SET expires_at = now() - interval '1 second' WHERE key = $1`, [closed]);
    await store.settle({ reset: [reset], unhit: [unhit, closed] });
    await expect(store.peek(reset)).resolves.toEqual({ count: 0, ttlMs: 0 });
    expect((await store.peek(unhit)).count).toBe(1);
    // A closed window is left as it is: the next hit opens a new one.
    expect((await store.hit(closed, 60_000)).count).toBe(1);
    expect((await store.hit(reset, 60_000)).count).toBe(1);
    await expect(store.settle({ reset: [reset], unhit: [reset] })).rejects.toThrow(/a key once/);
  });

  /**
   * Two settles that lock the same rows in different orders could deadlock (and one of them
   * fail). Each locks in key order: while it waits for the later key it already holds the
   * earlier one, which another transaction then cannot take. It needs a second connection,
   * which the embedded database does not serve.
   */
  if (process.env.DATABASE_URL)
    it('settle locks its rows in key order', async () => {
      const keys = [`${uniqueKey()}:a`, `${uniqueKey()}:b`].sort();
      for (const key of keys) await store.hit(key, 60_000);
      const other = t.app.get(DataSource).createQueryRunner();
      await other.connect();
      try {
        await other.startTransaction();
        await other.query(`SELECT 1 FROM abuse_counters WHERE key = $1 FOR UPDATE`, [keys[1]]);
        // The later key first in the call: the order of the locks is not the caller's.
        const waiting = store.settle({ reset: [keys[1]!], unhit: [keys[0]!] });
        await sleep(300);
        await expect(
          other.query(`SELECT 1 FROM abuse_counters WHERE key = $1 FOR UPDATE NOWAIT`, [keys[0]]),
        ).rejects.toThrow(/could not obtain lock/);
        await other.rollbackTransaction();
        await waiting;
      } finally {
        await other.release();
      }
    });

  it('a key of any length counts (a forwarded address is client input)', async () => {
    // Random, so the database cannot compress it under its index row limit.
    const key = `rate:auth:${randomBytes(5000).toString('hex')}`;
    expect((await store.hit(key, 60_000)).count).toBe(1);
    expect((await store.hit(key, 60_000)).count).toBe(2);
    expect((await store.hit(`${key}y`, 60_000)).count).toBe(1);
    expect((await store.peek(key)).count).toBe(2);
  });

  it('parallel hits are atomic: 50 at once count 1..50, each exactly once', async () => {
    const key = uniqueKey();
    const counts = (await Promise.all(Array.from({ length: 50 }, () => store.hit(key, 60_000)))).map((c) => c.count);
    expect(counts.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await store.peek(key)).count).toBe(50);
  });

  it('the purge job deletes closed windows and keeps open ones', async () => {
    const [open, closed] = [uniqueKey(), uniqueKey()];
    await store.hit(open, 60_000);
    await store.hit(closed, 60_000);
    await t.app
      .get(DataSource)
      .query(`UPDATE abuse_counters SET expires_at = now() - interval '1 second' WHERE key = $1`, [closed]);
    const purged = await t.app.get(PurgeJob).run();
    expect(purged.counters).toBeGreaterThanOrEqual(1);
    const keys: Array<{ key: string }> = await t.app
      .get(DataSource)
      .query(`SELECT key FROM abuse_counters WHERE key = ANY($1)`, [[open, closed]]);
    expect(keys.map((row) => row.key)).toEqual([open]);
  });
});

const lockoutEnv = (max: string) => ({
  REDIS_URL: '',
  TRUST_PROXY: '1',
  THROTTLE_AUTH_LIMIT: '0',
  LOGIN_MAX_FAILURES: '5',
  LOGIN_ACCOUNT_MAX_FAILURES: max,
});

describe('the account lockout without Redis survives a restart', () => {
  it('a locked account is still locked on a new app over the same database', async () => {
    const db = await createTestDatabase({ persistent: true });
    try {
      const env = lockoutEnv('3');
      const first = await createTestApp({ db, env });
      const user = await createUser(first);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await request(first.http)
          .post('/api/auth/token/login')
          .set('X-Forwarded-For', `203.0.113.${i + 1}`)
          .send({ email: user.email, password: 'wrong password' });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429]);
      await first.close();

      const second = await createTestApp({ db, env });
      try {
        const res = await request(second.http)
          .post('/api/auth/token/login')
          .set('X-Forwarded-For', '203.0.113.99')
          .send({ email: user.email, password: user.password });
        expect(res.status).toBe(429);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      } finally {
        await second.close();
      }
    } finally {
      await db.dispose();
    }
  }, 60_000);
});

// Several instances need a database server (the embedded database serves one process): this
// part exists in the PostgreSQL pass only.
if (process.env.DATABASE_URL)
  describe('two instances on one database without Redis', () => {
    let db: TestDatabase;
    let a: TestApp;
    let b: TestApp;
    beforeAll(async () => {
      db = await createTestDatabase();
      a = await createTestApp({ db, env: lockoutEnv('20') });
      b = await createTestApp({ db, env: lockoutEnv('20') });
    });
    afterAll(async () => {
      await a.close();
      await b.close();
      await db.dispose();
    });

    it('count failures for one account together: 30 parallel guesses over both get at most 20 password checks', async () => {
      const user = await createUser(a);
      const guesses = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          request((i % 2 ? a : b).http)
            .post(`/api/auth/${i % 3 ? 'token' : 'session'}/login`)
            .set('X-Forwarded-For', `198.51.100.${i + 1}`)
            .send({ email: user.email, password: `wrong password ${i}` }),
        ),
      );
      const statuses = guesses.map((res) => res.status);
      expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
      expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(20);
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(10);
      for (const app of [a, b]) {
        const res = await request(app.http)
          .post('/api/auth/token/login')
          .set('X-Forwarded-For', '192.0.2.7')
          .send({ email: user.email, password: user.password });
        expect(res.status).toBe(429);
      }
    }, 60_000);
  });
