import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support/free-port.js';
import { es256Pair } from './support/keys.js';
import { buildService, FAIL_TIMEOUT_MS, findNginx, nginxSite, startNginx, type Nginx } from './support/nginx.js';
import { startRedisCluster, type RedisCluster } from './support/redis-cluster.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * Three instances of the built service (`node dist/main.js`) behind a real nginx, configured by
 * test/support/nginx.ts as docs/deployment.md shows. They share PostgreSQL, the signing key and
 * the session secret, and run in each way an operator can deploy them: PostgreSQL alone (counters
 * in the database, revocations over LISTEN/NOTIFY), one Redis (when REDIS_URL is set) and a Redis
 * Cluster of this file's own. Runs in the PostgreSQL pass only (jest.config.mjs): the embedded
 * database serves one process.
 */
const nginxBinary = findNginx();
if (!nginxBinary && !process.env.CI) {
  console.log(
    'load-balancer.e2e-spec.ts skipped: nginx is not installed (apt-get install nginx-light; CI installs it)',
  );
}
const describeWithNginx = nginxBinary || process.env.CI ? describe : describe.skip;

interface Setup {
  /** What the instances get for Redis: nothing, one Redis, or the nodes of a cluster. */
  redisEnv(): Promise<Record<string, string>>;
  stop(): Promise<void>;
  /**
   * The rolling restart under load runs in one setup, ~40 s each: the drain is the HTTP
   * server's, the same whatever stores the counters; single Redis when there is one (the
   * recommended deployment), PostgreSQL alone otherwise.
   */
  restart: boolean;
}

const setups: Array<[string, () => Setup]> = [
  [
    'PostgreSQL only',
    () => ({ redisEnv: async () => ({}), stop: async () => undefined, restart: !process.env.REDIS_URL }),
  ],
];
if (process.env.REDIS_URL) {
  const env = { REDIS_URL: process.env.REDIS_URL };
  setups.push(['single Redis', () => ({ redisEnv: async () => env, stop: async () => undefined, restart: true })]);
}
setups.push([
  'Redis Cluster',
  () => {
    let cluster: RedisCluster | undefined;
    return {
      redisEnv: async () => {
        cluster = await startRedisCluster();
        return { REDIS_CLUSTER_NODES: cluster.nodesEnv };
      },
      stop: async () => cluster?.stop(),
      restart: false,
    };
  },
]);

const THROTTLE_AUTH_LIMIT = 10;
const LOGIN_MAX_FAILURES = 3;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/**
 * A client on a loopback address of its own (all of 127.0.0.0/8 is this machine), so nginx sees
 * it as a distinct client, as the per-IP limits must.
 */
function clientAt(address: string, base: () => string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64, localAddress: address });
  const call = (method: string, path: string, options: { headers?: Record<string, string>; body?: unknown } = {}) =>
    new Promise<Answer & { requestId: string }>((resolve, reject) => {
      const url = new URL(path, base());
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      const requestId = randomUUID();
      const req = httpRequest(
        url,
        {
          method,
          agent,
          headers: {
            'x-request-id': requestId,
            ...(body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}),
            ...options.headers,
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON (an nginx error page)
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, requestId });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return { address, call, close: () => agent.destroy() };
}

/** A fresh address in 127.0.0.0/8, so parallel runs and other specs never share a rate-limit key. */
const loopbackAddress = () => `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

interface Instance {
  port: number;
  child: ChildProcess;
  exited: Promise<number | string | null>;
  output: () => string;
}

/** One build for every setup. */
let build: Promise<{ dir: string; remove(): void }> | undefined;
const built = () => (build ??= buildService());
afterAll(async () => (await build)?.remove());

describeWithNginx.each(setups)('three instances behind nginx, %s', (_name, setup) => {
  const keys = es256Pair();
  const redis = setup();
  let db: TestDatabase;
  let nginx: Nginx;
  const instances: Instance[] = [];
  const dataDirs: string[] = [];
  let env: Record<string, string>;

  /** `node dist/main.js` on `port`; resolves once its health answers 200. */
  const startInstance = async (index: number, port: number): Promise<Instance> => {
    const { dir } = await built();
    const child = spawn(process.execPath, [join(dir, 'dist', 'main.js')], {
      cwd: dir,
      env: { ...env, PORT: String(port), DATA_DIR: dataDirs[index]! },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
    const exited = new Promise<number | string | null>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? code)),
    );
    const deadline = Date.now() + 60_000;
    for (;;) {
      const status = await fetch(`http://127.0.0.1:${port}/api/health`).then(
        (res) => res.status,
        () => 0,
      );
      if (status === 200) break;
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`instance ${index} did not start: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { port, child, exited, output: () => output };
  };

  beforeAll(async () => {
    const [, database, redisEnv] = await Promise.all([built(), createTestDatabase(), redis.redisEnv()]);
    db = database;
    env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      COOKIE_SECURE: 'false',
      LOG_LEVEL: 'warn',
      DATABASE_URL: db.url!,
      ...redisEnv,
      JWT_PRIVATE_KEY: keys.privateKey,
      JWT_PUBLIC_KEY: keys.publicKey,
      SESSION_SECRET: randomBytes(32).toString('hex'),
      // nginx reaches the instances from 127.0.0.1: trust that address, and only it.
      TRUST_PROXY: '127.0.0.1',
      THROTTLE_AUTH_LIMIT: String(THROTTLE_AUTH_LIMIT),
      LOGIN_MAX_FAILURES: String(LOGIN_MAX_FAILURES),
    };
    const ports = [await freePort(), await freePort(), await freePort()];
    for (let i = 0; i < 3; i++) dataDirs.push(mkdtempSync(join(tmpdir(), 'nda-lb-')));
    // One at a time: the first migrates the fresh database.
    for (const [index, port] of ports.entries()) instances.push(await startInstance(index, port));
    nginx = await startNginx(
      nginxBinary!,
      ports.map((port) => `127.0.0.1:${port}`),
    );
  }, 180_000);

  afterAll(async () => {
    await nginx?.stop();
    for (const instance of instances) {
      instance.child.kill('SIGTERM');
      await instance.exited;
    }
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    await db?.dispose();
    await redis.stop();
  }, 60_000);

  /** The instance (its upstream address) that answered each request id, from nginx's access log. */
  const servedBy = async (requestIds: string[]): Promise<string[]> => {
    // nginx writes the line after the answer has left: the client can be quicker.
    for (let tries = 0; ; tries++) {
      const byId = new Map(nginx.accessLog().map((line) => [line.requestId, line.upstreams.at(-1) ?? '']));
      if (tries === 20 || requestIds.every((id) => byId.has(id)))
        return requestIds.map((id) => byId.get(id) ?? 'unknown');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const register = async (client: ReturnType<typeof clientAt>) => {
    const credentials = { email: `lb-${randomUUID().slice(0, 8)}@example.com`, password: 'correct horse battery' };
    const res = await client.call('POST', '/api/auth/register', { body: credentials });
    expect(res.status).toBe(201);
    return credentials;
  };

  const sessionLogin = async (client: ReturnType<typeof clientAt>, credentials: object) => {
    const res = await client.call('POST', '/api/auth/session/login', { body: credentials });
    expect(res.status).toBe(200);
    const cookie = ([res.headers['set-cookie']].flat().find((value) => value?.startsWith('sid=')) ?? '').split(';')[0]!;
    return { cookie, csrfToken: res.body.csrfToken as string };
  };

  const tokenLogin = async (client: ReturnType<typeof clientAt>, credentials: object) => {
    const res = await client.call('POST', '/api/auth/token/login', { body: credentials });
    expect(res.status).toBe(200);
    return { ...(res.body as { accessToken: string; refreshToken: string }), requestId: res.requestId };
  };

  it('the configuration in docs/deployment.md is the one tested here', () => {
    const docs = readFileSync(join(import.meta.dirname, '..', 'docs', 'deployment.md'), 'utf8');
    expect(docs).toContain(
      nginxSite({ upstreams: ['10.0.0.11:3000', '10.0.0.12:3000', '10.0.0.13:3000'], listen: '80' }),
    );
  });

  it('spreads the requests of a cookie and a token login over all three instances', async () => {
    const client = clientAt(loopbackAddress(), () => nginx.url);
    try {
      const credentials = await register(client);
      const session = await sessionLogin(client, credentials);
      const token = await tokenLogin(client, credentials);
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const byCookie = await client.call('GET', '/api/users/me', { headers: { cookie: session.cookie } });
        const byBearer = await client.call('GET', '/api/users/me', {
          headers: { authorization: `Bearer ${token.accessToken}` },
        });
        expect([byCookie.status, byBearer.status]).toEqual([200, 200]);
        ids.push(byCookie.requestId, byBearer.requestId);
      }
      expect(new Set(await servedBy(ids))).toEqual(new Set(nginx.upstreams));
    } finally {
      client.close();
    }
  });

  it('refreshes a token on another instance than the one that issued it', async () => {
    const client = clientAt(loopbackAddress(), () => nginx.url);
    try {
      const token = await tokenLogin(client, await register(client));
      const [issuer] = await servedBy([token.requestId]);
      // Round robin: of three consecutive requests, at least two reach other instances.
      let refreshed: Answer & { requestId: string } = await client.call('POST', '/api/auth/token/refresh', {
        body: { refreshToken: token.refreshToken },
      });
      for (let i = 0; i < 3 && (await servedBy([refreshed.requestId]))[0] === issuer; i++) {
        expect(refreshed.status).toBe(200);
        refreshed = await client.call('POST', '/api/auth/token/refresh', {
          body: { refreshToken: refreshed.body.refreshToken },
        });
      }
      expect(refreshed.status).toBe(200);
      expect((await servedBy([refreshed.requestId]))[0]).not.toBe(issuer);
      const me = await client.call('GET', '/api/users/me', {
        headers: { authorization: `Bearer ${refreshed.body.accessToken}` },
      });
      expect(me.status).toBe(200);
    } finally {
      client.close();
    }
  });

  it('a login revoked on one instance is refused on all three within 1 s', async () => {
    const client = clientAt(loopbackAddress(), () => nginx.url);
    try {
      const credentials = await register(client);
      const session = await sessionLogin(client, credentials);
      const token = await tokenLogin(client, credentials);
      const meByCookie = () => client.call('GET', '/api/users/me', { headers: { cookie: session.cookie } });
      const meByBearer = () =>
        client.call('GET', '/api/users/me', { headers: { authorization: `Bearer ${token.accessToken}` } });
      expect((await meByCookie()).status).toBe(200);
      expect((await meByBearer()).status).toBe(200);
      // The token ends the cookie's login (the devices list), then its own (logout).
      const devices = await client.call('GET', '/api/auth/sessions', {
        headers: { authorization: `Bearer ${token.accessToken}` },
      });
      const sessionLoginId = (devices.body as Array<{ id: string; kind: string }>).find(
        (device) => device.kind === 'session',
      )!.id;
      const revoke = await client.call('DELETE', `/api/auth/sessions/${sessionLoginId}`, {
        headers: { authorization: `Bearer ${token.accessToken}` },
      });
      expect(revoke.status).toBe(204);
      const logout = await client.call('POST', '/api/auth/token/logout', {
        body: { refreshToken: token.refreshToken },
      });
      expect(logout.status).toBe(204);

      // Each check: three consecutive requests per credential, one per instance (round robin).
      const started = Date.now();
      let last: Array<Answer & { requestId: string }> = [];
      for (;;) {
        const sent = Date.now();
        last = [];
        for (let i = 0; i < 3; i++) last.push(await meByCookie(), await meByBearer());
        if (last.every((res) => res.status === 401)) {
          expect(sent - started).toBeLessThan(1000);
          break;
        }
        if (Date.now() - started > 3000) throw new Error(`still accepted: ${last.map((res) => res.status).join(',')}`);
      }
      expect(new Set(await servedBy(last.map((res) => res.requestId)))).toEqual(new Set(nginx.upstreams));
    } finally {
      client.close();
    }
  });

  it('the /api/auth rate limit counts the client address, not its X-Forwarded-For, on all instances together', async () => {
    const client = clientAt(loopbackAddress(), () => nginx.url);
    const other = clientAt(loopbackAddress(), () => nginx.url);
    try {
      const answers: Array<Answer & { requestId: string }> = [];
      for (let i = 0; i < THROTTLE_AUTH_LIMIT + 2; i++) {
        // A new address claimed on every request: nginx overwrites the header, so it changes nothing.
        answers.push(
          await client.call('POST', '/api/auth/token/refresh', {
            body: { refreshToken: 'x' },
            headers: { 'x-forwarded-for': `203.0.113.${i + 1}` },
          }),
        );
      }
      expect(answers.map((res) => res.status)).toEqual([...Array(THROTTLE_AUTH_LIMIT).fill(401), 429, 429]);
      expect(new Set(await servedBy(answers.map((res) => res.requestId)))).toEqual(new Set(nginx.upstreams));
      // Another client (address) has its own allowance: the count is not nginx's own address.
      expect((await other.call('POST', '/api/auth/token/refresh', { body: { refreshToken: 'x' } })).status).toBe(401);
    } finally {
      client.close();
      other.close();
    }
  });

  it('the login lockout counts the client address, not its X-Forwarded-For, on all instances together', async () => {
    const setup = clientAt(loopbackAddress(), () => nginx.url);
    const guesser = clientAt(loopbackAddress(), () => nginx.url);
    const owner = clientAt(loopbackAddress(), () => nginx.url);
    try {
      const credentials = await register(setup);
      const attempts: Array<Answer & { requestId: string }> = [];
      for (let i = 0; i < LOGIN_MAX_FAILURES; i++) {
        attempts.push(
          await guesser.call('POST', '/api/auth/token/login', {
            body: { ...credentials, password: 'wrong password' },
            headers: { 'x-forwarded-for': `198.51.100.${i + 1}` },
          }),
        );
      }
      expect(attempts.map((res) => res.status)).toEqual(Array(LOGIN_MAX_FAILURES).fill(401));
      expect(new Set(await servedBy(attempts.map((res) => res.requestId))).size).toBe(Math.min(3, LOGIN_MAX_FAILURES));
      // Locked out from that address, whatever it claims, even with the right password…
      const locked = await guesser.call('POST', '/api/auth/token/login', {
        body: credentials,
        headers: { 'x-forwarded-for': '192.0.2.77' },
      });
      expect(locked.status).toBe(429);
      // …while the owner, elsewhere, logs in.
      expect((await owner.call('POST', '/api/auth/token/login', { body: credentials })).status).toBe(200);
    } finally {
      setup.close();
      guesser.close();
      owner.close();
    }
  });

  if (redis.restart) {
    it('a rolling restart under load fails no request, loses no answered write and logs nobody out', async () => {
      // 50 clients, each on its own address (the per-IP limit is 10 a minute), half by cookie.
      const clients = await Promise.all(
        Array.from({ length: 50 }, async (_, index) => {
          const client = clientAt(loopbackAddress(), () => nginx.url);
          const credentials = await register(client);
          if (index % 2 === 0) {
            const session = await sessionLogin(client, credentials);
            return {
              client,
              read: { cookie: session.cookie },
              write: { cookie: session.cookie, 'x-csrf-token': session.csrfToken },
            };
          }
          const token = await tokenLogin(client, credentials);
          const bearer = { authorization: `Bearer ${token.accessToken}` };
          return { client, read: bearer, write: bearer };
        }),
      );
      const failures = new Map<string, number>();
      const created: Array<{ client: (typeof clients)[number]; id: string; title: string }> = [];
      let requests = 0;
      let lastAnswer = Date.now();
      let longestPause = 0;
      let running = true;
      const count = (key: string) => failures.set(key, (failures.get(key) ?? 0) + 1);
      const worker = async (entry: (typeof clients)[number], index: number) => {
        for (let round = 0; running; round++) {
          const write = (round + index) % 3 === 0;
          const title = `note ${index}.${round}`;
          const res = await (
            write
              ? entry.client.call('POST', '/api/notes', {
                  headers: entry.write,
                  body: { title, body: 'written during a rolling restart' },
                })
              : entry.client.call('GET', '/api/users/me', { headers: entry.read })
          ).catch((error: NodeJS.ErrnoException) => ({ status: error.code ?? 'error', body: undefined }) as const);
          requests++;
          const ok = write ? res.status === 201 : res.status === 200;
          if (ok) {
            const now = Date.now();
            longestPause = Math.max(longestPause, now - lastAnswer);
            lastAnswer = now;
            if (write) created.push({ client: entry, id: (res.body as { id: string }).id, title });
          } else {
            count(`${write ? 'POST' : 'GET'} ${res.status}`);
          }
        }
      };
      const load = clients.map((entry, index) => worker(entry, index));

      const started = Date.now();
      for (const [index, instance] of instances.entries()) {
        instance.child.kill('SIGTERM');
        const exit = await instance.exited;
        expect(exit).toBe('SIGTERM');
        instances[index] = await startInstance(index, instance.port);
        // As docs/deployment.md says: the next one only once this one is back in rotation, i.e.
        // fail_timeout after nginx last saw it fail (its drain's 503s); earlier, nginx would still
        // be skipping it while the next one drains, and with three instances none would be left.
        if (index < instances.length - 1) await new Promise((resolve) => setTimeout(resolve, FAIL_TIMEOUT_MS + 500));
      }
      // A little more traffic on the restarted set, then stop.
      await new Promise((resolve) => setTimeout(resolve, 500));
      running = false;
      await Promise.all(load);
      const failed = [...failures.entries()].map(([key, n]) => `${key}: ${n}`).join(', ') || 'none';
      console.log(
        `rolling restart of 3 instances under 50 connections: ${requests} requests in ${Date.now() - started} ms, ` +
          `${created.length} notes written, failures ${failed}, longest pause ${longestPause} ms`,
      );

      // nginx says why it answered 502 (which upstream error), if it did.
      const upstreamErrors = nginx
        .errorLog()
        .split('\n')
        .filter((line) => line.includes('[error]'));
      if (upstreamErrors.length > 0) console.log(upstreamErrors.slice(0, 10).join('\n'));
      // Not one request failed, reads or writes: the instance draining turns reads away with 503
      // (nginx repeats them elsewhere) until nginx stops choosing it, then closes its listener.
      expect(failed).toBe('none');
      // Every login still works, and every note answered 201 is there.
      const after = await Promise.all(
        clients.map(async (entry) => (await entry.client.call('GET', '/api/users/me', { headers: entry.read })).status),
      );
      expect(after.filter((status) => status !== 200)).toEqual([]);
      // One request at a time per client: 50 connections, as during the load.
      const missing = (
        await Promise.all(
          clients.map(async (entry) => {
            const lost: string[] = [];
            for (const note of created.filter((candidate) => candidate.client === entry)) {
              const res = await entry.client.call('GET', `/api/notes/${note.id}`, { headers: entry.read });
              if (res.status !== 200 || res.body.title !== note.title) lost.push(note.title);
            }
            return lost;
          }),
        )
      ).flat();
      expect(missing).toEqual([]);
      expect(created.length).toBeGreaterThan(0);
      for (const entry of clients) entry.client.close();
    }, 180_000);
  }
});
