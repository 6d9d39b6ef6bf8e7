import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import request from 'supertest';
import { COUNTER_STORE } from '../src/abuse/counters.module.js';
import { RedisCounterStore } from '../src/abuse/counter-store.js';
import { REDIS } from '../src/redis/redis.constants.js';
import { CHANNEL, RedisBroadcast, type RevocationMessage } from '../src/tokens/revocation-broadcast.js';
import { createUser } from './support/kit.js';
import { startRedisCluster, type RedisCluster } from './support/redis-cluster.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * The app on a Redis Cluster of this file's own (three masters on loopback ports): counters
 * spread over the slots and nodes, each script's keys in one slot, the revocation broadcast heard
 * whichever node it was published on, and health following the cluster's state. Needs
 * PostgreSQL for its apps: jest.config.mjs runs it in the PostgreSQL pass only.
 */
describe('on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let db: TestDatabase;
  let t: TestApp;
  /** One plain connection per master, to look at each node's own keys and subscribers. */
  let nodes: Redis[];
  const env = () => ({
    REDIS_URL: '',
    REDIS_CLUSTER_NODES: cluster.nodesEnv,
    TRUST_PROXY: 'loopback',
    THROTTLE_AUTH_LIMIT: '1000',
    LOGIN_MAX_FAILURES: '2',
    LOGIN_ACCOUNT_MAX_FAILURES: '3',
  });
  const slot = async (key: string) => Number(await nodes[0]!.cluster('KEYSLOT', key));

  beforeAll(async () => {
    cluster = await startRedisCluster();
    nodes = cluster.nodes.map(({ host, port }) => new Redis({ host, port }));
    db = await createTestDatabase();
    t = await createTestApp({ db, env: env() });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await db?.dispose();
    for (const node of nodes ?? []) node.disconnect();
    await cluster?.stop();
  });

  it('the app runs its counters on the cluster, each counter under its own hash tag, spread over every node', async () => {
    expect(t.app.get(REDIS)).toBeInstanceOf(Cluster);
    const store = t.app.get<RedisCounterStore>(COUNTER_STORE);
    expect(store).toBeInstanceOf(RedisCounterStore);
    const names = Array.from(
      { length: 30 },
      (_, i) =>
        [
          `rate:auth:198.51.100.${i}`,
          `lockout:${randomBytes(32).toString('hex')}`,
          `lockout:account:${randomBytes(32).toString('hex')}`,
        ][i % 3]!,
    );
    for (const name of names) await store.hit(name, 60_000);

    for (const name of names) expect(await slot(store.redisKey(name))).toBe(await slot(name));
    const perNode = await Promise.all(nodes.map((node) => node.keys('nda:count:*')));
    const expected = names.map((name) => store.redisKey(name));
    for (const keys of perNode) expect(keys.filter((key) => expected.includes(key)).length).toBeGreaterThan(0);
    expect(
      perNode
        .flat()
        .filter((key) => expected.includes(key))
        .sort(),
    ).toEqual([...expected].sort());
  });

  it('lockout and rate limit work on the cluster, and every script they run has its keys in one slot', async () => {
    const redis = t.app.get<Cluster>(REDIS);
    const scripts: Array<{ script: string; keys: string[] }> = [];
    const evalCommand = redis.eval.bind(redis);
    redis.eval = ((script: string, numKeys: number, ...args: string[]) => {
      scripts.push({ script, keys: args.slice(0, numKeys) });
      return evalCommand(script, numKeys, ...args);
    }) as typeof redis.eval;
    try {
      const user = await createUser(t);
      const login = (ip: string, password: string) =>
        request(t.http).post('/api/auth/token/login').set('X-Forwarded-For', ip).send({ email: user.email, password });
      const statuses: number[] = [];
      statuses.push((await login('192.0.2.1', user.password)).status); // a success resets the pair
      for (const ip of ['192.0.2.1', '192.0.2.1', '192.0.2.1', '192.0.2.2', '192.0.2.3'])
        statuses.push((await login(ip, 'wrong password')).status);
      // Pair 192.0.2.1 locked after 2; the account after 3 failures from any address.
      expect(statuses).toEqual([200, 401, 401, 429, 401, 429]);
    } finally {
      redis.eval = evalCommand;
    }
    // Hits (rate limit, pair, account) and the take-back of a pair refused for the account.
    expect(new Set(scripts.map(({ script }) => script)).size).toBe(2);
    for (const { keys } of scripts) {
      expect(keys.length).toBeGreaterThan(0);
      expect(new Set(await Promise.all(keys.map(slot))).size).toBe(1);
    }
  });

  it('a revocation reaches every instance, one subscriber connection each, whichever node it was published on', async () => {
    const redis = t.app.get<Cluster>(REDIS);
    const received: [RevocationMessage[], RevocationMessage[]] = [[], []];
    const instances = [new RedisBroadcast(redis), new RedisBroadcast(redis)];
    const ready = instances.map(
      (instance, i) =>
        new Promise<void>((resolve) => void instance.start((message) => received[i]!.push(message), resolve)),
    );
    try {
      await Promise.all(ready);
      // The app's own instance and these two: one subscription each, on one node each.
      const subscribers = async () =>
        (await Promise.all(nodes.map(async (node) => Number((await node.pubsub('NUMSUB', CHANNEL))[1])))).reduce(
          (a, b) => a + b,
        );
      // Ready is said once the subscription is confirmed: no wait for it here.
      expect(await subscribers()).toBe(3);

      const until = Date.now() + 60_000;
      const sent = Array.from({ length: 6 }, () => ({ loginIds: [randomUUID()], until }));
      for (const message of sent.slice(0, 3)) await instances[0]!.publish(message);
      // Straight to each master: two of the three are not the node a given subscriber sits on.
      for (const [i, message] of sent.slice(3).entries()) await nodes[i]!.publish(CHANNEL, JSON.stringify(message));
      for (let i = 0; i < 50 && received.some((messages) => messages.length < sent.length); i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      for (const messages of received)
        expect(messages.map(({ loginIds }) => loginIds[0]).sort()).toEqual(
          sent.map(({ loginIds }) => loginIds[0]).sort(),
        );
    } finally {
      await Promise.all(instances.map((instance) => instance.stop()));
    }
  });

  // Last: it takes a master away for good.
  it('health is 200 while the cluster is ok, 503 once it has lost a master; a login then answers 503, not 500', async () => {
    const health = await request(t.http).get('/api/health').expect(200);
    expect(health.body.details.redis).toEqual({ status: 'up' });
    await cluster.nodes[2]!.kill();
    // The other masters mark it failed after the 2 s node timeout; then the cluster state is fail.
    let statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      statuses = [];
      for (let n = 0; n < 5; n++) statuses.push((await request(t.http).get('/api/health')).status);
      if (statuses.every((status) => status === 503)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(statuses).toEqual([503, 503, 503, 503, 503]);
    const res = await request(t.http).get('/api/health');
    expect(res.body).toMatchObject({ status: 'error', details: { redis: { status: 'down' } } });
    const login = await request(t.http)
      .post('/api/auth/token/login')
      .send({ email: 'nobody@example.com', password: 'wrong password' });
    expect(login.status).toBe(503);
  }, 60_000);
});
