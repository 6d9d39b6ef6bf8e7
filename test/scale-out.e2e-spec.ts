import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { sha256Hex } from '../src/common/hash.js';
import { AccessTokensService } from '../src/tokens/access-tokens.service.js';
import { LoginsService } from '../src/sessions/logins.service.js';
import { UsersService } from '../src/users/users.service.js';
import { DataSource } from 'typeorm';
import { SessionCache } from '../src/sessions/session-cache.js';
import { createAdmin, createUser, loginAs, type Client } from './support/kit.js';
import { es256Pair } from './support/keys.js';
import { startRedisCluster, type RedisCluster } from './support/redis-cluster.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * Two instances on one PostgreSQL, as behind a load balancer: a cookie or token from one works
 * on the other, and a revocation (or a role change) on one reaches the other within a second,
 * session records and roles it had cached included — over Redis pub/sub
 * when REDIS_URL is set, over a Redis Cluster of this file's own, and over PostgreSQL
 * LISTEN/NOTIFY otherwise. The embedded database serves one process only (its folder is locked),
 * so jest.config.mjs runs this file only when DATABASE_URL is set (the PostgreSQL pass).
 */
interface Setup {
  /** What the apps get for Redis: none, one Redis, or the nodes of a cluster. */
  redisEnv(): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

const setups: Array<[string, () => Setup]> = [['PostgreSQL LISTEN/NOTIFY', () => fixedRedis({ REDIS_URL: '' })]];
if (process.env.REDIS_URL) setups.push(['single Redis', () => fixedRedis({ REDIS_URL: process.env.REDIS_URL! })]);
setups.push(['Redis Cluster', clusterRedis]);

function fixedRedis(env: Record<string, string>): Setup {
  return { redisEnv: async () => env, stop: async () => undefined };
}

function clusterRedis(): Setup {
  let cluster: RedisCluster | undefined;
  return {
    redisEnv: async () => {
      cluster = await startRedisCluster();
      return { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.nodesEnv };
    },
    stop: async () => cluster?.stop(),
  };
}

describe.each(setups)('two instances, revocation over %s', (name, setup) => {
  const keys = es256Pair();
  const redis = setup();
  const usesRedis = name !== 'PostgreSQL LISTEN/NOTIFY';
  // Room for the 250 logins of one user below.
  let env: Record<string, string> = {
    JWT_PRIVATE_KEY: keys.privateKey,
    JWT_PUBLIC_KEY: keys.publicKey,
    MAX_LOGINS_PER_USER: '1000',
  };
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    env = { ...env, ...(await redis.redisEnv()) };
    db = await createTestDatabase();
    a = await createTestApp({ db, env });
    b = await createTestApp({ db, env });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.dispose();
    await redis.stop();
  });

  /**
   * Polls `check` until it holds; returns when the passing check was sent, so the time of the
   * check's own request (long on a loaded machine) does not count against the deadline.
   */
  const eventually = async (check: () => Promise<boolean>, withinMs: number) => {
    const started = Date.now();
    for (let sent = started; sent - started < withinMs; sent = Date.now()) {
      if (await check()) return sent - started;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`not within ${withinMs} ms`);
  };

  it('a session cookie made on one instance works on the other', async () => {
    const client = await loginAs(a, await createUser(a), 'session');
    await request(b.http).get('/api/examples/session-only').set('Cookie', client.cookie!).expect(200);
  });

  /** Whether `app` serves the client's session from its cache (a valid record for its id hash). */
  const cachedOn = (app: TestApp, client: Client) => {
    const cookie = client.cookie!;
    const sid = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1))
      .slice(2)
      .split('.')[0]!;
    return app.app.get(SessionCache).lookup(sha256Hex(sid)).state === 'hit';
  };
  const currentLoginId = async (client: Client): Promise<string> =>
    ((await client.get('/api/auth/sessions').expect(200)).body as Array<{ id: string; current: boolean }>).find(
      (d) => d.current,
    )!.id;

  type Ender = (victim: Client) => Promise<unknown>;
  it.each<[string, Ender]>([
    ['logout', (victim) => victim.post('/api/auth/session/logout').expect(204)],
    [
      'a revoke from the devices list',
      async (victim) => {
        const loginId = await currentLoginId(victim);
        await (await loginAs(a, victim.user, 'jwt')).delete(`/api/auth/sessions/${loginId}`).expect(204);
      },
    ],
    [
      'a password change',
      async (victim) =>
        (await loginAs(a, victim.user, 'jwt'))
          .post('/api/users/me/password')
          .send({ currentPassword: victim.user.password, newPassword: 'another password 1' })
          .expect(204),
    ],
    [
      'the account’s deletion',
      (victim) => victim.delete('/api/users/me').send({ password: victim.user.password }).expect(204),
    ],
  ])('%s on one instance: the other refuses the session it had cached within 1 s', async (_case, end) => {
    const victim = await loginAs(a, await createUser(a), 'session');
    const onB = () => request(b.http).get('/api/users/me').set('Cookie', victim.cookie!);
    await onB().expect(200);
    await onB().expect(200);
    expect(cachedOn(b, victim)).toBe(true);
    await end(victim);
    const took = await eventually(async () => (await onB()).status === 401, 1000);
    expect(took).toBeLessThan(1000);
    // Dropped by the broadcast, not merely refused: nothing of it stays in memory. A deletion
    // can be refused first through the user's broadcast and dropped by the logins' one just after.
    expect(await eventually(async () => !cachedOn(b, victim), 1000)).toBeLessThan(1000);
  });

  it('a role change on one instance is seen by the other’s cached session within 1 s, both ways', async () => {
    const victim = await loginAs(a, await createAdmin(a), 'session');
    const admin = await loginAs(a, await createAdmin(a), 'session');
    const onB = async () => (await request(b.http).get('/api/admin/users').set('Cookie', victim.cookie!)).status;
    expect(await onB()).toBe(200);
    expect(await onB()).toBe(200);
    expect(cachedOn(b, victim)).toBe(true);
    await admin
      .patch(`/api/admin/users/${victim.user.id}/roles`)
      .send({ roles: ['user'] })
      .expect(200);
    expect(await eventually(async () => (await onB()) === 403, 1000)).toBeLessThan(1000);
    await admin
      .patch(`/api/admin/users/${victim.user.id}/roles`)
      .send({ roles: ['user', 'admin'] })
      .expect(200);
    expect(await eventually(async () => (await onB()) === 200, 1000)).toBeLessThan(1000);
    // The session itself was never in question: still the record B had cached.
    expect(cachedOn(b, victim)).toBe(true);
  });

  it('users/me on the other instance shows a change of name or roles made on one within 1 s', async () => {
    const owner = await loginAs(a, await createUser(a), 'jwt');
    const admin = await loginAs(a, await createAdmin(a), 'session');
    const onB = async () =>
      (await request(b.http).get('/api/users/me').set('Authorization', `Bearer ${owner.accessToken}`).expect(200))
        .body as { name: string | null; roles: string[]; mfaEnabled: boolean };
    // B reads the row once and then serves it from its user cache.
    await onB();
    expect((await onB()).name).not.toBe('Renamed on A');
    await owner.patch('/api/users/me').send({ name: 'Renamed on A' }).expect(200);
    expect(await eventually(async () => (await onB()).name === 'Renamed on A', 1000)).toBeLessThan(1000);
    await admin
      .patch(`/api/admin/users/${owner.user.id}/roles`)
      .send({ roles: ['user', 'admin'] })
      .expect(200);
    expect(await eventually(async () => (await onB()).roles.includes('admin'), 1000)).toBeLessThan(1000);
  });

  it('a change inside a transaction is announced at its commit: the other instance never keeps the row from before', async () => {
    const user = await createUser(a);
    const [onA, onB] = [a, b].map((t) => t.app.get(UsersService));
    const mfaOnB = async () => (await onB!.findProfile(user.id))?.mfaEnabled;
    expect(await mfaOnB()).toBe(false);
    await a.app.get(DataSource).transaction(async (manager) => {
      await onA!.setMfaEnabled(manager, user.id, true);
      // Long enough for a broadcast sent now to arrive; B then reads the still committed row.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await mfaOnB()).toBe(false);
    });
    expect(await eventually(async () => (await mfaOnB()) === true, 1000)).toBeLessThan(1000);
  });

  it('a token logout on one instance makes the access token 401 on the other within 1 s', async () => {
    const client = await loginAs(a, await createUser(a), 'jwt');
    const onB = () =>
      request(b.http).get('/api/examples/jwt-only').set('Authorization', `Bearer ${client.accessToken}`);
    await onB().expect(200);
    await request(a.http).post('/api/auth/token/logout').send({ refreshToken: client.refreshToken }).expect(204);
    const took = await eventually(async () => (await onB()).status === 401, 1000);
    expect(took).toBeLessThan(1000);
  });

  if (usesRedis) {
    it('the /api/auth rate limit counts requests to either instance together', async () => {
      // Behind a proxy naming a client address of this run's own: a window nobody else counted in.
      const limited = { ...env, THROTTLE_AUTH_LIMIT: '4', TRUST_PROXY: 'loopback' };
      const client = `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}::1`;
      const x = await createTestApp({ db, env: limited });
      const y = await createTestApp({ db, env: limited });
      try {
        const statuses: number[] = [];
        for (const app of [x, y, x, y, x, y]) {
          statuses.push(
            (
              await request(app.http)
                .post('/api/auth/token/refresh')
                .set('X-Forwarded-For', client)
                .send({ refreshToken: 'x' })
            ).status,
          );
        }
        expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
      } finally {
        await x.close();
        await y.close();
      }
    });
  }

  it('revoking 250 logins at once reaches the other instance within 1 s', async () => {
    const user = await createUser(a);
    const logins = a.app.get(LoginsService);
    const access = a.app.get(AccessTokensService);
    const tokens: string[] = [];
    for (let i = 0; i < 250; i++) {
      const login = await logins.create({
        userId: user.id,
        kind: 'token',
        idleTtlMs: 3_600_000,
        absoluteTtlMs: 3_600_000,
      });
      tokens.push((await access.sign({ userId: user.id, loginId: login!.id, roles: user.roles })).token);
    }
    // Started now, its periodic reload from the database is half a minute away: only the
    // broadcast can tell it in time.
    const c = await createTestApp({ db, env });
    try {
      const onC = (token: string) =>
        request(c.http).get('/api/examples/jwt-only').set('Authorization', `Bearer ${token}`);
      const [current, ...others] = tokens;
      await onC(others.at(-1)!).expect(200);
      await request(a.http).delete('/api/auth/sessions').set('Authorization', `Bearer ${current}`).expect(204);
      // The contract's 1 s, with a margin for a slow machine; far below the 30 s reload. The
      // first and last ids travel in different messages; then every token is checked.
      await eventually(
        async () => (await onC(others.at(-1)!)).status === 401 && (await onC(others[0]!)).status === 401,
        3000,
      );
      const statuses = await Promise.all(others.map(async (token) => (await onC(token)).status));
      expect(statuses.filter((status) => status !== 401)).toEqual([]);
      await onC(current!).expect(200);
    } finally {
      await c.close();
    }
  });

  it('an instance started later knows revocations made before it started', async () => {
    const client = await loginAs(a, await createUser(a), 'jwt');
    await request(a.http).post('/api/auth/token/logout').send({ refreshToken: client.refreshToken }).expect(204);
    const c = await createTestApp({ db, env });
    try {
      await request(c.http)
        .get('/api/examples/jwt-only')
        .set('Authorization', `Bearer ${client.accessToken}`)
        .expect(401);
    } finally {
      await c.close();
    }
  });
});
