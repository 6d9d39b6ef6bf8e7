import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  calculateJwkThumbprint,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  importPKCS8,
  SignJWT,
  type JWTPayload,
} from 'jose';
import request from 'supertest';
import {
  startResourceServer,
  type ResourceServerOptions,
  type RunningResourceServer,
} from '../examples/resource-server/resource-server.js';
import { freePort } from './support/free-port.js';
import { es256Pair } from './support/keys.js';
import { createUser, loginAs, type TestUser } from './support/kit.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * examples/resource-server beside the app: it gets nothing from the app but what
 * /.well-known/jwks.json publishes, over HTTP. Key rotation is a restart with other keys
 * (JWT_PRIVATE_KEY/JWT_PUBLIC_KEY, the retired public key in JWT_PREVIOUS_PUBLIC_KEYS), so each
 * generation of the app is a new app on the same database, listening on the same port.
 */

type Pair = ReturnType<typeof es256Pair>;

async function kidOf(pair: Pair): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(createPublicKey(pair.publicKey)));
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  challenge: string | null;
}

async function whoami(
  rs: RunningResourceServer,
  authorization?: string,
  method = 'GET',
  path = '/whoami',
): Promise<Answer> {
  const res = await fetch(`${rs.url}${path}`, {
    method,
    headers: authorization ? { Authorization: authorization } : {},
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    challenge: res.headers.get('www-authenticate'),
  };
}

/** Booting an app on a persistent embedded database is slow on a loaded machine. */
const BOOT_TIMEOUT = 120_000;

const bearer = (token: string) => `Bearer ${token}`;
const INVALID_TOKEN = /^Bearer realm="resource-server", error="invalid_token"/;

/** The app's checks of a token, through a jwt-only route. */
async function appAccepts(t: TestApp, token: string): Promise<number> {
  return (await request(t.http).get('/api/examples/jwt-only').set('Authorization', bearer(token))).status;
}

describe('a resource server verifying access tokens with the JWKS alone', () => {
  const keyA = es256Pair();
  const keyB = es256Pair();
  const stranger = es256Pair();
  let kidA: string;
  let kidB: string;
  let db: TestDatabase;
  let port: number;
  let app: TestApp | undefined;
  const resourceServers: RunningResourceServer[] = [];
  let user: TestUser;
  let tokenA: string;
  let tokenB: string;

  const options = (overrides: Partial<ResourceServerOptions> = {}): ResourceServerOptions => ({
    jwksUrl: new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`),
    issuer: 'nest-dual-auth',
    audience: 'nest-dual-auth',
    clockToleranceSec: 0,
    ...overrides,
  });
  async function resourceServer(overrides: Partial<ResourceServerOptions> = {}): Promise<RunningResourceServer> {
    const rs = await startResourceServer(options(overrides));
    resourceServers.push(rs);
    return rs;
  }

  /** Stops the running generation of the app and starts the next one with these keys. */
  async function startApp(signing: Pair, previous: Pair[] = [], env: Record<string, string> = {}): Promise<TestApp> {
    await app?.close();
    app = undefined;
    const next = await createTestApp({
      db,
      env: {
        JWT_PRIVATE_KEY: signing.privateKey,
        JWT_PUBLIC_KEY: signing.publicKey,
        ...(previous.length > 0 ? { JWT_PREVIOUS_PUBLIC_KEYS: previous.map((pair) => pair.publicKey).join(',') } : {}),
        ...env,
      },
    });
    await next.app.listen(port, '127.0.0.1');
    app = next;
    return next;
  }

  // Refetches on every unknown kid and keeps a key set 10 minutes.
  let eager: RunningResourceServer;
  // No refetch within 10 minutes of the last one (jose's default is 30 s; longer than this test, whatever the load).
  let coolingDown: RunningResourceServer;
  // Keeps a key set one second.
  let shortCache: RunningResourceServer;
  // The same cooldown, and a key set kept one second: it learns of a published key by its cache ageing out.
  let prepublished: RunningResourceServer;

  beforeAll(async () => {
    [kidA, kidB] = await Promise.all([kidOf(keyA), kidOf(keyB)]);
    db = await createTestDatabase({ persistent: true });
    port = await freePort();
    eager = await resourceServer({ cooldownMs: 0, cacheMaxAgeMs: 600_000 });
    coolingDown = await resourceServer({ cooldownMs: 600_000, cacheMaxAgeMs: 600_000 });
    shortCache = await resourceServer({ cooldownMs: 0, cacheMaxAgeMs: 1_000 });
    prepublished = await resourceServer({ cooldownMs: 600_000, cacheMaxAgeMs: 1_000 });
  }, BOOT_TIMEOUT);

  afterAll(async () => {
    await Promise.all(resourceServers.map((rs) => rs.close()));
    await app?.close();
    await db?.dispose();
  });

  describe('through a key rotation', () => {
    it(
      'verifies a token from the app, and challenges a request without one',
      async () => {
        const t = await startApp(keyA);
        user = await createUser(t);
        tokenA = (await loginAs(t, user, 'jwt')).accessToken!;
        expect(decodeProtectedHeader(tokenA).kid).toBe(kidA);

        for (const rs of [eager, coolingDown, shortCache, prepublished]) {
          await expect(whoami(rs, bearer(tokenA))).resolves.toMatchObject({
            status: 200,
            body: { sub: user.id, roles: ['user'], kid: kidA },
          });
        }
        await expect(whoami(eager)).resolves.toMatchObject({
          status: 401,
          challenge: 'Bearer realm="resource-server"',
        });
        await expect(whoami(eager, 'Basic dXNlcjpwYXNz')).resolves.toMatchObject({
          status: 401,
          challenge: 'Bearer realm="resource-server"',
        });
      },
      BOOT_TIMEOUT,
    );

    it(
      "publishes the next key before signing with it (the README's first rotation step)",
      async () => {
        const t = await startApp(keyA, [keyB]);
        const { body } = await request(t.http).get('/.well-known/jwks.json').expect(200);
        expect((body as { keys: Array<{ kid: string }> }).keys.map((key) => key.kid)).toEqual([kidA, kidB]);
        expect(decodeProtectedHeader((await loginAs(t, user, 'jwt')).accessToken!).kid).toBe(kidA);
        // Once its cached key set is older than its cacheMaxAge, the next verification fetches it anew.
        await sleep(1_100);
        await expect(whoami(prepublished, bearer(tokenA))).resolves.toMatchObject({ status: 200 });
      },
      BOOT_TIMEOUT,
    );

    it(
      'keeps verifying the old key during the overlap and fetches the new kid when a token names it',
      async () => {
        const t = await startApp(keyB, [keyA]);
        expect(await appAccepts(t, tokenA)).toBe(200);
        tokenB = (await loginAs(t, user, 'jwt')).accessToken!;
        expect(decodeProtectedHeader(tokenB).kid).toBe(kidB);

        // eager fetched the key set before B existed: only a refetch on the unknown kid finds it.
        await expect(whoami(eager, bearer(tokenB))).resolves.toMatchObject({
          status: 200,
          body: { sub: user.id, kid: kidB },
        });
        await expect(whoami(eager, bearer(tokenA))).resolves.toMatchObject({ status: 200, body: { kid: kidA } });
        // Within its cooldown a verifier does not refetch: why the README has the new key published first.
        await expect(whoami(coolingDown, bearer(tokenB))).resolves.toMatchObject({
          status: 401,
          challenge: expect.stringMatching(INVALID_TOKEN),
        });
        await expect(whoami(coolingDown, bearer(tokenA))).resolves.toMatchObject({ status: 200 });
        // Within its cooldown too, but it already holds B: published ahead, the new key costs no 401.
        await expect(whoami(prepublished, bearer(tokenB))).resolves.toMatchObject({ status: 200, body: { kid: kidB } });
      },
      BOOT_TIMEOUT,
    );

    it('verifies from its cached key set while the app is down; with nothing cached it answers 503', async () => {
      await app!.close();
      app = undefined;
      await expect(whoami(eager, bearer(tokenA))).resolves.toMatchObject({ status: 200, body: { kid: kidA } });
      await expect(whoami(eager, bearer(tokenB))).resolves.toMatchObject({ status: 200, body: { kid: kidB } });

      const cold = await resourceServer();
      const answer = await whoami(cold, bearer(tokenB));
      expect(answer).toMatchObject({ status: 503, challenge: null });
    });

    it(
      'refuses the retired key once its cached key set has aged out (a verifier still holding it accepts it until then)',
      async () => {
        // Access tokens of this generation live 15 s, for the revocation test below.
        const t = await startApp(keyB, [], { JWT_ACCESS_TTL: '15s' });
        expect(await appAccepts(t, tokenA)).toBe(401);
        expect(await appAccepts(t, tokenB)).toBe(200);

        // The documented lag: a key set fetched before the retirement is used until it is cacheMaxAge old.
        await expect(whoami(eager, bearer(tokenA))).resolves.toMatchObject({ status: 200 });

        await sleep(1_100);
        await expect(whoami(shortCache, bearer(tokenA))).resolves.toMatchObject({
          status: 401,
          challenge: expect.stringMatching(INVALID_TOKEN),
        });
        await expect(whoami(shortCache, bearer(tokenB))).resolves.toMatchObject({
          status: 200,
          body: { sub: user.id, kid: kidB },
        });
        const fresh = await resourceServer();
        await expect(whoami(fresh, bearer(tokenA))).resolves.toMatchObject({ status: 401 });
      },
      BOOT_TIMEOUT,
    );

    it(
      "still accepts a revoked login's token until it expires: it cannot see revocation (the documented limit)",
      async () => {
        const t = app!;
        const client = await loginAs(t, user, 'jwt');
        const token = client.accessToken!;
        await request(t.http).post('/api/auth/token/logout').send({ refreshToken: client.refreshToken }).expect(204);
        expect(await appAccepts(t, token)).toBe(401);
        await expect(whoami(eager, bearer(token))).resolves.toMatchObject({ status: 200, body: { sub: user.id } });

        // JWT_ACCESS_TTL bounds it: once the token expires, it is refused here too.
        const { exp } = decodeJwt(token);
        await sleep(Math.max(0, exp! * 1000 - Date.now()) + 1_100);
        await expect(whoami(eager, bearer(token))).resolves.toMatchObject({
          status: 401,
          body: { message: 'The token has expired' },
        });
      },
      BOOT_TIMEOUT,
    );
  });

  describe('tokens it must refuse (the app signing with key B)', () => {
    const claims: JWTPayload = { sid: 'login-id', roles: ['user'] };
    /** A token like the app's, signed with `pair` (key B, the app's current key, unless changed). */
    async function craft(
      change: {
        header?: Record<string, unknown>;
        claims?: JWTPayload;
        pair?: Pair;
        expiresIn?: number;
        drop?: string;
      } = {},
    ): Promise<string> {
      const key = await importPKCS8((change.pair ?? keyB).privateKey, 'ES256');
      const now = Math.floor(Date.now() / 1000);
      const payload: JWTPayload = {
        iss: 'nest-dual-auth',
        aud: 'nest-dual-auth',
        sub: user.id,
        jti: 'a-jti',
        iat: now,
        exp: now + (change.expiresIn ?? 60),
        ...claims,
        ...change.claims,
      };
      if (change.drop) delete payload[change.drop];
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'ES256', kid: kidB, typ: 'at+jwt', ...change.header })
        .sign(key);
    }

    it('accepts the crafted token when nothing is changed (so each refusal below is down to its one change)', async () => {
      await expect(whoami(eager, bearer(await craft()))).resolves.toMatchObject({
        status: 200,
        body: { sub: user.id },
      });
    });

    it.each<[string, () => Promise<string>]>([
      ['signed by another key under the current kid', () => craft({ pair: stranger })],
      [
        'signed by another key under its own kid',
        async () => craft({ pair: stranger, header: { kid: await kidOf(stranger) } }),
      ],
      ['from another issuer', () => craft({ claims: { iss: 'someone-else' } })],
      ['for another audience', () => craft({ claims: { aud: 'another-service' } })],
      ['typed as a plain JWT', () => craft({ header: { typ: 'JWT' } })],
      ['without a jti', () => craft({ drop: 'jti' })],
      ['without a kid', () => craft({ header: { kid: undefined } })],
      [
        'unsigned (alg none)',
        async () => {
          const payload = (await craft()).split('.')[1];
          return `${Buffer.from(JSON.stringify({ alg: 'none', kid: kidB, typ: 'at+jwt' })).toString('base64url')}.${payload}.`;
        },
      ],
      [
        'HMAC-signed with the public key as the secret',
        async () =>
          new SignJWT({ ...claims, iss: 'nest-dual-auth', aud: 'nest-dual-auth', sub: user.id, jti: 'x' })
            .setProtectedHeader({ alg: 'HS256', kid: kidB, typ: 'at+jwt' })
            .setIssuedAt()
            .setExpirationTime('1m')
            .sign(new TextEncoder().encode(keyB.publicKey)),
      ],
      ['not a JWT at all', async () => 'not-a-jwt'],
    ])('refuses a token %s with 401 invalid_token', async (_name, make) => {
      await expect(whoami(eager, bearer(await make()))).resolves.toMatchObject({
        status: 401,
        challenge: expect.stringMatching(INVALID_TOKEN),
      });
    });

    it('refuses an expired token (beyond the clock tolerance), saying so', async () => {
      const answer = await whoami(
        eager,
        bearer(await craft({ claims: { iat: Math.floor(Date.now() / 1000) - 120 }, expiresIn: -60 })),
      );
      expect(answer).toMatchObject({ status: 401, body: { message: 'The token has expired' } });
      expect(answer.challenge).toMatch(/error="invalid_token", error_description="The token has expired"/);
    });

    it('serves GET /whoami only', async () => {
      await expect(whoami(eager, bearer(tokenB), 'POST')).resolves.toMatchObject({ status: 405 });
      await expect(whoami(eager, bearer(tokenB), 'GET', '/elsewhere')).resolves.toMatchObject({ status: 404 });
    });
  });
  describe('started as README.md shows (npm run example:resource-server)', () => {
    const root = join(import.meta.dirname, '..');
    function run(env: Record<string, string>) {
      const child = spawn(
        process.execPath,
        ['--import', '@swc-node/register/esm-register', join(root, 'examples', 'resource-server', 'main.ts')],
        {
          cwd: root,
          env: { PATH: process.env.PATH ?? '', ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      return { child, exited, output: () => output };
    }

    it(
      'verifies a token of the app, configured by its environment, and stops on SIGTERM',
      async () => {
        const proc = run({ JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`, PORT: '0' });
        try {
          while (!/Resource server on (http:\/\/\S+)/.test(proc.output())) {
            if (proc.child.exitCode !== null) throw new Error(`exited: ${proc.output()}`);
            await sleep(50);
          }
          const url = /Resource server on (http:\/\/\S+)/.exec(proc.output())![1]!;
          const res = await fetch(`${url}/whoami`, { headers: { Authorization: bearer(tokenB) } });
          await expect(res.json()).resolves.toMatchObject({ sub: user.id, kid: kidB });
        } finally {
          proc.child.kill('SIGTERM');
        }
        await expect(proc.exited).resolves.toEqual([0, null]);
      },
      BOOT_TIMEOUT,
    );

    it(
      'refuses to start on a bad setting, naming it',
      async () => {
        const proc = run({ JWKS_URL: 'not a url' });
        await expect(proc.exited).resolves.toEqual([1, null]);
        expect(proc.output()).toContain('Invalid configuration: JWKS_URL must be an absolute URL');
      },
      BOOT_TIMEOUT,
    );
  });
});
