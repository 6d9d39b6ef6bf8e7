import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { SessionData } from 'express-session';
import { Redis } from 'ioredis';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { sha256Hex } from '../src/common/hash.js';
import { REDIS } from '../src/redis/redis.constants.js';
import { LoginsService } from '../src/sessions/logins.service.js';
import type { RedisSessionStore } from '../src/sessions/redis-session-store.js';
import { SessionCache, type CachedSessionStore } from '../src/sessions/session-cache.js';
import { SESSION_STORE } from '../src/sessions/sessions.constants.js';
import { createAdmin, createUser, loginAs, type Client } from './support/kit.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase } from './support/test-database.js';

/**
 * Cookie sessions in Redis (REDIS_URL set; jest.config.mjs runs this file only then): where the
 * entries live, that a session request needs no database query, that every revocation drops the
 * entry, and that a revoked login stays refused even where its entry is still found.
 */
const redisUrl = process.env.REDIS_URL!;

/** The session id inside a `sid=s%3A<id>.<signature>` cookie. */
const sessionId = (cookie: string) =>
  decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1))
    .slice(2)
    .split('.')[0]!;
const entryKey = (client: Client) => `nda:sess:${sha256Hex(sessionId(client.cookie!))}`;
const indexKey = (loginId: string) => `nda:sess-of:${loginId}`;
const currentLoginId = async (client: Client): Promise<string> =>
  ((await client.get('/api/auth/sessions').expect(200)).body as Array<{ id: string; current: boolean }>).find(
    (d) => d.current,
  )!.id;

/** Everything but `Date`: timers, ticks and I/O run as usual. */
const REAL_TIMERS = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
  'Temporal',
] as const;

/** Polls until `check` holds, for up to `withinMs`. */
const eventually = async (check: () => Promise<boolean>, withinMs = 1000) => {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('sessions in Redis', () => {
  let t: TestApp;
  let redis: Redis;
  beforeAll(async () => {
    t = await createTestApp();
    redis = new Redis(redisUrl);
  });
  afterAll(async () => {
    await redis.quit();
    await t.close();
  });

  it('keeps the session under the SHA-256 of its id: ids and the CSRF token, the login and its absolute expiry, the idle TTL', async () => {
    const user = await createUser(t);
    const client = await loginAs(t, user, 'session');
    const loginId = await currentLoginId(client);
    const entry = await redis.hgetall(entryKey(client));
    expect(Object.keys(entry).sort()).toEqual(['abs', 'data', 'login', 'touched']);
    const data = JSON.parse(entry.data!) as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual(['cookie', 'csrfToken', 'passport']);
    expect(data.passport).toEqual({ user: { userId: user.id, loginId } });
    expect(entry.login).toBe(loginId);
    const [login]: Array<{ absolute_expires_at: Date }> = await t.app
      .get(DataSource)
      .query('SELECT absolute_expires_at FROM logins WHERE id = $1', [loginId]);
    expect(Number(entry.abs)).toBe(login!.absolute_expires_at.getTime());
    // SESSION_IDLE_TTL defaults to 30 minutes.
    const ttl = await redis.pttl(entryKey(client));
    expect(ttl).toBeGreaterThan(29 * 60_000);
    expect(ttl).toBeLessThanOrEqual(30 * 60_000);
    expect(await redis.get(indexKey(loginId))).toBe(sha256Hex(sessionId(client.cookie!)));
    // Nothing in Redis names the session id itself, nor anything personal.
    const id = sessionId(client.cookie!);
    expect(await redis.keys(`*${id}*`)).toEqual([]);
    expect(JSON.stringify(entry)).not.toContain(id);
    expect(JSON.stringify(entry)).not.toMatch(/example\.com|argon2|password/);
    // And nothing in the database's session table.
    const rows: unknown[] = await t.app
      .get(DataSource)
      .query('SELECT 1 FROM http_sessions WHERE login_id = $1', [loginId]);
    expect(rows).toEqual([]);
  });

  it('two session logins leave two entries', async () => {
    const user = await createUser(t);
    const first = await loginAs(t, user, 'session');
    const second = await loginAs(t, user, 'session');
    expect(entryKey(first)).not.toBe(entryKey(second));
    expect(await redis.exists(entryKey(first), entryKey(second))).toBe(2);
    const ids = [await currentLoginId(first), await currentLoginId(second)];
    expect(await redis.mget(ids.map(indexKey))).toEqual([first, second].map((c) => sha256Hex(sessionId(c.cookie!))));
  });

  it('100 session requests of one user issue at most one database query in all', async () => {
    const client = await loginAs(t, await createUser(t), 'session');
    // Queries are counted when issued on behalf of a request (its async context), so the
    // audit trail's writes and the revocation list's reload, running on timers, do not count.
    const server = t.http as Server;
    const inRequest = new AsyncLocalStorage<true>();
    const listeners = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
    server.removeAllListeners('request');
    for (const listener of listeners) server.on('request', (req, res) => inRequest.run(true, () => listener(req, res)));
    const queries: string[] = [];
    const logQuery = jest.spyOn(t.app.get(DataSource).logger, 'logQuery').mockImplementation((query) => {
      if (inRequest.getStore()) queries.push(query);
    });
    try {
      // Routes that read nothing themselves: what is counted is the session's cost.
      // The clock held still: the record and the roles are re-read after 30 s and the next touch
      // is a minute away, so the count does not depend on how fast a loaded machine answers.
      jest.useFakeTimers({ now: Date.now(), doNotFake: [...REAL_TIMERS] });
      for (let i = 0; i < 100; i++)
        await client.get(i % 2 ? '/api/examples/either' : '/api/examples/session-only').expect(200);
      // At most one (the user's roles, then cached): anything past the first is shown.
      expect(queries.slice(1)).toEqual([]);
      // The count sees queries: the devices list reads the database.
      await client.get('/api/auth/sessions').expect(200);
      expect(queries.length).toBeGreaterThan(1);
    } finally {
      jest.useRealTimers();
      logQuery.mockRestore();
      server.removeAllListeners('request');
      for (const listener of listeners) server.on('request', listener);
    }
  });

  it('refuses an entry past the login’s absolute expiry when it reads it', async () => {
    const client = await loginAs(t, await createUser(t), 'session');
    await client.get('/api/users/me').expect(200);
    await redis.hset(entryKey(client), 'abs', String(Date.now() - 1));
    // The cached copy keeps the absolute expiry it was read with (the login's, fixed at login):
    // the store is read again once it is gone from memory.
    t.app.get(SessionCache).clear();
    await client.get('/api/users/me').expect(401);
  });

  type Revoker = (victim: Client, loginId: string) => Promise<unknown>;
  const other = (victim: Client) => loginAs(t, victim.user, 'jwt');
  it.each<[string, Revoker]>([
    ['logout', (victim) => victim.post('/api/auth/session/logout').expect(204)],
    [
      'a revoke from the devices list',
      async (victim, loginId) => (await other(victim)).delete(`/api/auth/sessions/${loginId}`).expect(204),
    ],
    ['“log out other devices”', async (victim) => (await other(victim)).delete('/api/auth/sessions').expect(204)],
    [
      'a password change',
      async (victim) =>
        (await other(victim))
          .post('/api/users/me/password')
          .send({ currentPassword: victim.user.password, newPassword: 'another password 1' })
          .expect(204),
    ],
    [
      'a new login over the session',
      (victim) =>
        victim
          .post('/api/auth/session/login')
          .send({ email: victim.user.email, password: victim.user.password })
          .expect(200),
    ],
    [
      'the account’s deletion',
      (victim) => victim.delete('/api/users/me').send({ password: victim.user.password }).expect(204),
    ],
    [
      'an administrator’s deletion of the account',
      async (victim) =>
        (await loginAs(t, await createAdmin(t), 'session')).delete(`/api/admin/users/${victim.user.id}`).expect(204),
    ],
    [
      'the operator (CLI revoke-logins)',
      (victim) => t.app.get(LoginsService).revokeAllExcept(victim.user.id, 'operator'),
    ],
  ])('%s drops the entry from Redis', async (_case, revoke) => {
    const victim = await loginAs(t, await createUser(t), 'session');
    const cookie = victim.cookie!;
    const loginId = await currentLoginId(victim);
    expect(await redis.exists(entryKey(victim))).toBe(1);
    await revoke(victim, loginId);
    await eventually(async () => (await redis.exists(entryKey(victim))) === 0);
    await request(t.http).get('/api/users/me').set('Cookie', cookie).expect(401);
  });

  it('a session written while its login is being revoked is taken back', async () => {
    const user = await createUser(t);
    const client = await loginAs(t, user, 'session');
    const loginId = await currentLoginId(client);
    const store = t.app.get<CachedSessionStore>(SESSION_STORE).backend as RedisSessionStore;
    // The revocation reaches Redis between the store's check of the login and its write.
    store.forget([loginId]);
    await eventually(async () => (await redis.get(indexKey(loginId))) === 'revoked');
    const sid = 'a-session-id-written-late';
    const session = {
      cookie: { originalMaxAge: 60_000 },
      passport: { user: { userId: user.id, loginId } },
    } as unknown as SessionData;
    await store.save(sha256Hex(sid), loginId, session);
    expect(await redis.exists(`nda:sess:${sha256Hex(sid)}`)).toBe(0);
  });

  it('a revoked login’s cookie is refused even while its entry is still found', async () => {
    const victim = await loginAs(t, await createUser(t), 'session');
    const loginId = await currentLoginId(victim);
    const saved = await redis.dumpBuffer(entryKey(victim));
    await t.app.get(LoginsService).revokeById(loginId, 'device');
    await eventually(async () => (await redis.exists(entryKey(victim))) === 0);
    // As if Redis had been out of reach when the login was revoked.
    await redis.restore(entryKey(victim), 60_000, saved);
    await request(t.http).get('/api/users/me').set('Cookie', victim.cookie!).expect(401);
    await redis.del(entryKey(victim));
  });
});

describe('sessions in Redis across instances and restarts', () => {
  it('a cookie revoked on one instance is refused on another within 1 s and after a restart, its entry still found', async () => {
    const db = await createTestDatabase({ persistent: true });
    const redis = new Redis(redisUrl);
    try {
      const a = await createTestApp({ db });
      const user = await createUser(a);
      const victim = await loginAs(a, user, 'session');
      const loginId = await currentLoginId(victim);
      const saved = await redis.dumpBuffer(entryKey(victim));
      // The embedded database serves one process: a second instance only on PostgreSQL.
      const b = db.url ? await createTestApp({ db }) : undefined;
      try {
        const onB = () =>
          request((b ?? a).http)
            .get('/api/examples/session-only')
            .set('Cookie', victim.cookie!);
        await onB().expect(200);
        await a.app.get(LoginsService).revokeById(loginId, 'device');
        await eventually(async () => (await redis.exists(entryKey(victim))) === 0);
        // The entry back, as if the drop had failed: only the revocation list refuses it now.
        await redis.restore(entryKey(victim), 60_000, saved);
        await eventually(async () => (await onB()).status === 401);
      } finally {
        await b?.close();
        await a.close();
      }
      const restarted = await createTestApp({ db });
      try {
        await request(restarted.http).get('/api/examples/session-only').set('Cookie', victim.cookie!).expect(401);
      } finally {
        await restarted.close();
      }
    } finally {
      await redis.quit();
      await db.dispose();
    }
  }, 60_000);
});

describe('Redis out of reach while reading a session', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 503 with a clear body, not 500 and not a logout; the session works again once Redis is back', async () => {
    const client = await loginAs(t, await createUser(t), 'session');
    await client.get('/api/users/me').expect(200);
    const appRedis = t.app.get<Redis>(REDIS);
    appRedis.disconnect();
    // A record this instance has cached is served without Redis (for MAX_RECORD_AGE_MS at most);
    // one it must read answers 503.
    await client.get('/api/users/me').expect(200);
    t.app.get(SessionCache).clear();
    const res = await client.get('/api/users/me');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'A service the request needs is unavailable; try again shortly',
      requestId: expect.any(String),
    });
    expect(res.headers['set-cookie']).toBeUndefined();
    // Reconnecting: `connect` is refused while the old connection is still closing.
    await eventually(async () => {
      if (appRedis.status === 'end') await appRedis.connect().catch(() => undefined);
      return (await client.get('/api/users/me')).status === 200;
    }, 5000);
  });
});
