import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createPrivateKey, createPublicKey, createSecretKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import {
  base64url,
  calculateJwkThumbprint,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  SignJWT,
  type JWTPayload,
} from 'jose';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AuditService } from '../src/audit/audit.service.js';
import { sha256Hex } from '../src/common/hash.js';
import { createUser, loginAs, type Client, type TestUser } from './support/kit.js';
import { es256Pair } from './support/keys.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const keys = es256Pair();
const ENV = {
  JWT_PRIVATE_KEY: keys.privateKey,
  JWT_PUBLIC_KEY: keys.publicKey,
  JWT_ISSUER: 'https://auth.test',
  JWT_AUDIENCE: 'notes-api',
};

describe('token mode', () => {
  let t: TestApp;
  let ada: TestUser;
  let kid: string;
  beforeAll(async () => {
    // A grace no slow machine outlasts: the simultaneous refreshes below must all land inside it.
    t = await createTestApp({ env: { ...ENV, JWT_REFRESH_REUSE_GRACE: '30s' } });
    ada = await createUser(t);
    kid = await calculateJwkThumbprint(await exportJWK(createPrivateKey(keys.privateKey)));
  });
  afterAll(async () => {
    await t.close();
  });

  const login = (user: TestUser = ada) =>
    request(t.http).post('/api/auth/token/login').send({ email: user.email, password: user.password });
  const refresh = (refreshToken: string) => request(t.http).post('/api/auth/token/refresh').send({ refreshToken });
  const jwtOnly = (token: string) =>
    request(t.http).get('/api/examples/jwt-only').set('Authorization', `Bearer ${token}`);

  describe('POST /api/auth/token/login', () => {
    it('answers 200 with a token pair', async () => {
      const res = await login();
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        tokenType: 'Bearer',
        expiresIn: 900,
        refreshExpiresIn: expect.any(Number),
      });
      expect(res.body.refreshExpiresIn).toBeGreaterThan(30 * 86_400 - 10);
      expect(res.body.refreshExpiresIn).toBeLessThanOrEqual(30 * 86_400);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('signs an ES256 access token with kid and the documented claims, expiresIn = exp - iat', async () => {
      const { accessToken } = (await login()).body;
      expect(decodeProtectedHeader(accessToken)).toEqual({ alg: 'ES256', kid, typ: 'at+jwt' });
      const claims = decodeJwt(accessToken);
      expect(claims).toEqual({
        sub: ada.id,
        sid: expect.stringMatching(/^[0-9a-f-]{36}$/),
        jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
        iat: expect.any(Number),
        exp: expect.any(Number),
        iss: 'https://auth.test',
        aud: 'notes-api',
        roles: ['user'],
        auth_time: expect.any(Number),
        amr: ['pwd'],
      });
      expect(claims.exp! - claims.iat!).toBe(900);
      expect(Math.abs((claims.auth_time as number) - claims.iat!)).toBeLessThanOrEqual(1);
      expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(5);
    });

    it('gives one 401 answer for an unknown email and a wrong password; 400 for a bad body', async () => {
      const unknown = await request(t.http)
        .post('/api/auth/token/login')
        .send({ email: 'nobody@example.com', password: 'x'.repeat(10) });
      const wrong = await request(t.http)
        .post('/api/auth/token/login')
        .send({ email: ada.email, password: 'x'.repeat(10) });
      expect([unknown.status, wrong.status]).toEqual([401, 401]);
      expect(unknown.body).toEqual(wrong.body);
      await request(t.http).post('/api/auth/token/login').send({ email: ada.email }).expect(400);
    });
  });

  describe('using the access token', () => {
    let client: Client;
    beforeAll(async () => {
      client = await loginAs(t, ada, 'jwt');
    });

    it('jwt-only and either accept it (via jwt); session-only answers 401', async () => {
      await client.get('/api/examples/jwt-only').expect(200, { userId: ada.id, via: 'jwt' });
      await client.get('/api/examples/either').expect(200, { userId: ada.id, via: 'jwt' });
      await client.get('/api/examples/session-only').expect(401);
    });

    it('accepts the scheme in any case (RFC 7235)', async () => {
      await request(t.http)
        .get('/api/examples/jwt-only')
        .set('Authorization', `bearer ${client.accessToken}`)
        .expect(200);
    });

    it('needs no CSRF token for state-changing requests', async () => {
      await client.post('/api/notes').send({ title: 't', body: 'b' }).expect(201);
    });

    it('decides when a request carries both a bearer token and a session cookie', async () => {
      const session = await loginAs(t, ada, 'session');
      await session
        .get('/api/examples/either')
        .set('Authorization', `Bearer ${client.accessToken}`)
        .expect(200, { userId: ada.id, via: 'jwt' });
      // A jwt-only route with both: the bearer decides, so it is accepted.
      await session.get('/api/examples/jwt-only').set('Authorization', `Bearer ${client.accessToken}`).expect(200);
    });

    it('costs no database round trip', async () => {
      // Events of earlier tests are written in the background: out of the way before measuring.
      await t.app.get(AuditService).flush();
      const db = t.app.get(DataSource);
      const runners = jest.spyOn(db, 'createQueryRunner');
      const queries = jest.spyOn(db, 'query');
      try {
        await client.get('/api/examples/jwt-only').expect(200);
        await client.get('/api/examples/either').expect(200);
        expect(runners).not.toHaveBeenCalled();
        expect(queries).not.toHaveBeenCalled();
        await client.get('/api/users/me').expect(200); // proof that the spies see queries
        expect(runners).toHaveBeenCalled();
      } finally {
        runners.mockRestore();
        queries.mockRestore();
      }
    });
  });

  describe('rejected tokens: 401 with WWW-Authenticate: Bearer error="invalid_token"', () => {
    const signingKey = createPrivateKey(keys.privateKey);
    let valid: string;
    let claims: JWTPayload;
    beforeAll(async () => {
      valid = (await login()).body.accessToken;
      claims = decodeJwt(valid);
    });

    const sign = (payload: JWTPayload, header: Record<string, unknown> = {}, key = signingKey) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt', ...header }).sign(key);
    const unsigned = (alg: string) =>
      `${base64url.encode(JSON.stringify({ alg, kid, typ: 'at+jwt' }))}.${base64url.encode(JSON.stringify(claims))}.`;
    const now = () => Math.floor(Date.now() / 1000);
    /** Signs header and payload exactly as written (duplicate members, odd types): no library tidies them. */
    const signRaw = (header: string, payload: string, key: KeyObject = signingKey) => {
      const input = `${base64url.encode(header)}.${base64url.encode(payload)}`;
      return `${input}.${base64url.encode(cryptoSign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }))}`;
    };
    const rawHeader = (extra = '') => `{"alg":"ES256","kid":"${kid}","typ":"at+jwt"${extra}}`;
    const rawClaims = (overrides: Record<string, unknown>) => JSON.stringify({ ...claims, ...overrides });
    const hs256With = (secret: Buffer | string) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid, typ: 'at+jwt' })
        .sign(createSecretKey(Buffer.from(secret)));

    const cases: Array<[string, () => Promise<string> | string]> = [
      ['alg none', () => unsigned('none')],
      ['alg NONE', () => unsigned('NONE')],
      ['alg nOnE', () => unsigned('nOnE')],
      [
        'HS256 signed with the public key (algorithm confusion)',
        () =>
          new SignJWT(claims)
            .setProtectedHeader({ alg: 'HS256', kid, typ: 'at+jwt' })
            .sign(createSecretKey(Buffer.from(keys.publicKey))),
      ],
      ['an unknown kid', () => sign(claims, { kid: 'not-a-known-key' })],
      ['no kid', () => new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' }).sign(signingKey)],
      ['a jku header', () => sign(claims, { jku: 'https://evil.example/jwks.json' })],
      ['an x5u header', () => sign(claims, { x5u: 'https://evil.example/cert.pem' })],
      [
        'a key of its own (jwk header)',
        async () => {
          const attacker = es256Pair();
          return sign(
            claims,
            { jwk: await exportJWK(createPublicKey(attacker.publicKey)) },
            createPrivateKey(attacker.privateKey),
          );
        },
      ],
      [
        'a tampered payload',
        () => {
          const [header, , signature] = valid.split('.');
          return `${header}.${base64url.encode(JSON.stringify({ ...claims, roles: ['user', 'admin'] }))}.${signature}`;
        },
      ],
      ['a tampered signature', () => `${valid.slice(0, -4)}AAAA`],
      ['an expired token', () => sign({ ...claims, iat: now() - 3600, exp: now() - 120 })],
      ['a token not yet valid', () => sign({ ...claims, nbf: now() + 600 })],
      ['a wrong issuer', () => sign({ ...claims, iss: 'https://evil.example' })],
      ['a wrong audience', () => sign({ ...claims, aud: 'other-api' })],
      ['a missing sid', () => sign({ ...claims, sid: undefined })],
      ['another token type', () => sign(claims, { typ: 'JWT' })],
      ['a signature by another key', () => sign(claims, {}, createPrivateKey(es256Pair().privateKey))],
      ['garbage', () => 'a.b.c'],
      // Where jsonwebtoken (passport-jwt) and jose differ: each is refused all the same.
      ['a crit header', () => signRaw(rawHeader(',"crit":["urn:example:x"],"urn:example:x":true'), rawClaims({}))],
      ['nbf 30 s ahead (beyond the 5 s leeway)', () => sign({ ...claims, nbf: now() + 30 })],
      ['nbf as a string', () => signRaw(rawHeader(), rawClaims({ nbf: String(now() - 10) }))],
      ['typ JWT', () => signRaw(`{"alg":"ES256","kid":"${kid}","typ":"JWT"}`, rawClaims({}))],
      ['no typ', () => signRaw(`{"alg":"ES256","kid":"${kid}"}`, rawClaims({}))],
      ['exp as a string', () => signRaw(rawHeader(), rawClaims({ exp: String(now() + 600) }))],
      ['no exp (jsonwebtoken would not require one)', () => signRaw(rawHeader(), rawClaims({ exp: undefined }))],
      ['no iat', () => signRaw(rawHeader(), rawClaims({ iat: undefined }))],
      ['no sub', () => signRaw(rawHeader(), rawClaims({ sub: undefined }))],
      ['aud as an array without ours', () => sign({ ...claims, aud: ['other-api', 'more-api'] })],
      ['iss as an array holding ours', () => sign({ ...claims, iss: ['https://auth.test'] as unknown as string })],
      ['a payload that is not a JSON object', () => signRaw(rawHeader(), '"notes-api"')],
      [
        'our kid, then a foreign one (the last duplicate wins)',
        () => signRaw(rawHeader(',"kid":"not-a-known-key"'), rawClaims({})),
      ],
      ['a numeric kid', () => signRaw(`{"alg":"ES256","kid":1,"typ":"at+jwt"}`, rawClaims({}))],
      ['our kid inside an array', () => signRaw(`{"alg":"ES256","kid":["${kid}"],"typ":"at+jwt"}`, rawClaims({}))],
      ['a null kid', () => signRaw(`{"alg":"ES256","kid":null,"typ":"at+jwt"}`, rawClaims({}))],
      ['an x5c header', () => sign(claims, { x5c: ['MIIBszCCAVmgAwIBAgIUQ'] })],
      [
        'HS256 with the public key in DER as the secret',
        () => hs256With(createPublicKey(keys.publicKey).export({ format: 'der', type: 'spki' })),
      ],
      [
        'HS256 with the published JWK as the secret',
        async () => hs256With(JSON.stringify(await exportJWK(createPublicKey(keys.publicKey)))),
      ],
      ['a header that is a JSON string', () => signRaw('"at+jwt"', rawClaims({}))],
      ['a header that is a JSON number', () => signRaw('1', rawClaims({}))],
      ['a header that is a JSON array', () => signRaw(`["ES256","${kid}"]`, rawClaims({}))],
      ['ES384', () => signRaw(`{"alg":"ES384","kid":"${kid}","typ":"at+jwt"}`, rawClaims({}))],
    ];

    it.each(cases)('%s', async (_case, craft) => {
      const res = await jwtOnly(await craft());
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    });

    it('while the same claims, properly signed, are accepted (the cases above fail for their flaw alone)', async () => {
      await jwtOnly(await sign(claims)).expect(200);
      await jwtOnly(signRaw(rawHeader(), rawClaims({}))).expect(200);
      await jwtOnly(
        signRaw(`{"alg":"ES256","kid":"not-a-known-key","typ":"at+jwt","kid":"${kid}"}`, rawClaims({})),
      ).expect(200);
      await jwtOnly(await sign(claims, { typ: 'application/at+jwt' })).expect(200);
      await jwtOnly(await sign({ ...claims, aud: ['other-api', 'notes-api'] })).expect(200);
      await jwtOnly(await sign({ ...claims, nbf: now() + 2 })).expect(200);
    });
  });

  describe('refresh', () => {
    it('rotates: a new pair, and the old refresh token is retired', async () => {
      const first = (await login()).body;
      const second = await refresh(first.refreshToken);
      expect(second.status).toBe(200);
      expect(second.body.refreshToken).not.toBe(first.refreshToken);
      expect(decodeJwt(second.body.accessToken).sid).toBe(decodeJwt(first.accessToken).sid);
      await jwtOnly(second.body.accessToken).expect(200);
      const third = await refresh(second.body.refreshToken);
      expect(third.status).toBe(200);
      // A refresh records use of the login in the devices list.
      const devices = (
        await request(t.http)
          .get('/api/auth/sessions')
          .set('Authorization', `Bearer ${third.body.accessToken}`)
          .expect(200)
      ).body;
      const current = devices.find((d: { current: boolean }) => d.current);
      expect(Date.parse(current.lastUsedAt)).toBeGreaterThan(Date.parse(current.createdAt));
    });

    it('a retired token presented again revokes the whole login: the newer tokens stop working too', async () => {
      const first = (await login()).body;
      const second = (await refresh(first.refreshToken)).body;
      // Past the grace window for two tabs racing: this is a replay.
      await t.app
        .get(DataSource)
        .query(`UPDATE refresh_tokens SET used_at = now() - interval '1 minute' WHERE used_at IS NOT NULL`);
      const replay = await refresh(first.refreshToken);
      expect(replay.status).toBe(401);
      await jwtOnly(second.accessToken).expect(401);
      await refresh(second.refreshToken).expect(401);
      await jwtOnly(first.accessToken).expect(401);
    });

    it('five simultaneous refreshes of one token give one working pair and revoke nothing', async () => {
      const pair = (await login()).body;
      const results = await Promise.all(Array.from({ length: 5 }, () => refresh(pair.refreshToken)));
      const winners = results.filter((res) => res.status === 200);
      expect(winners).toHaveLength(1);
      expect(results.filter((res) => res.status === 401)).toHaveLength(4);
      const winner = winners[0]!.body;
      await jwtOnly(winner.accessToken).expect(200);
      await refresh(winner.refreshToken).expect(200);
    });

    it.each([
      ['an unknown token', 'A'.repeat(43)],
      ['a malformed token', 'not a token'],
    ])('answers 401 for %s', async (_case, token) => {
      await refresh(token).expect(401);
    });

    it('answers 400 without a refreshToken', async () => {
      await request(t.http).post('/api/auth/token/refresh').send({}).expect(400);
    });

    it('stores refresh tokens only as SHA-256 hashes', async () => {
      const pair = (await login()).body;
      const rows: Array<{ token_hash: string }> = await t.app
        .get(DataSource)
        .query(`SELECT token_hash FROM refresh_tokens`);
      expect(rows.every((row) => /^[0-9a-f]{64}$/.test(row.token_hash))).toBe(true);
      expect(rows.some((row) => row.token_hash.includes(pair.refreshToken))).toBe(false);
    });

    it.each([['expires_at'], ['absolute_expires_at']])(
      'a login past its %s is 401 on refresh, which changes nothing: no use recorded, the token unspent, no successor',
      async (column) => {
        const pair = (await login()).body;
        const sid = decodeJwt(pair.accessToken).sid;
        const db = t.app.get(DataSource);
        const updated = await db.query<[unknown[], number]>(
          `UPDATE logins SET ${column} = now() - interval '1 second' WHERE id = $1`,
          [sid],
        );
        expect(updated[1]).toBe(1);
        const lastUsed = async () =>
          (await db.query<Array<{ last_used_at: Date }>>('SELECT last_used_at FROM logins WHERE id = $1', [sid]))[0]!
            .last_used_at;
        const used = await lastUsed();
        const tokens = () =>
          db.query<Array<{ used: boolean }>>(
            'SELECT used_at IS NOT NULL AS used FROM refresh_tokens WHERE login_id = $1 ORDER BY created_at',
            [sid],
          );
        await refresh(pair.refreshToken).expect(401);
        expect(await lastUsed()).toEqual(used);
        expect(await tokens()).toEqual([{ used: false }]);
        // Presented again: still unspent, an ended login rather than a replay to raise an alarm about.
        await refresh(pair.refreshToken).expect(401);
        expect(await tokens()).toEqual([{ used: false }]);
      },
    );
  });

  describe('POST /api/auth/token/logout', () => {
    it('revokes the login: the access token is 401 at once, the refresh token too', async () => {
      const pair = (await login()).body;
      await jwtOnly(pair.accessToken).expect(200);
      await request(t.http).post('/api/auth/token/logout').send({ refreshToken: pair.refreshToken }).expect(204);
      await jwtOnly(pair.accessToken).expect(401);
      await refresh(pair.refreshToken).expect(401);
      await request(t.http).post('/api/auth/token/logout').send({ refreshToken: pair.refreshToken }).expect(401);
    });

    const logout = (refreshToken: string) => request(t.http).post('/api/auth/token/logout').send({ refreshToken });

    it('with the token a refresh has just replaced, still ends the login: the successor stops working', async () => {
      const first = (await login()).body;
      const second = (await refresh(first.refreshToken).expect(200)).body;
      await logout(first.refreshToken).expect(204);
      await refresh(second.refreshToken).expect(401);
      await jwtOnly(second.accessToken).expect(401);
    });

    it('racing a refresh of the same token, ends the login whichever commits first', async () => {
      for (let round = 0; round < 5; round++) {
        const pair = (await login()).body;
        const [refreshed, loggedOut] = await Promise.all([refresh(pair.refreshToken), logout(pair.refreshToken)]);
        expect(loggedOut.status).toBe(204);
        if (refreshed.status === 200) {
          await refresh(refreshed.body.refreshToken).expect(401);
          await jwtOnly(refreshed.body.accessToken).expect(401);
        } else expect(refreshed.status).toBe(401);
      }
    });

    it('with a token retired longer ago than the grace, is a 401 and the login goes on', async () => {
      const first = (await login()).body;
      const second = (await refresh(first.refreshToken).expect(200)).body;
      await t.app
        .get(DataSource)
        .query(`UPDATE refresh_tokens SET used_at = now() - interval '1 minute' WHERE token_hash = $1`, [
          sha256Hex(first.refreshToken),
        ]);
      await logout(first.refreshToken).expect(401);
      await refresh(second.refreshToken).expect(200);
    });
  });

  describe('GET /.well-known/jwks.json', () => {
    it('publishes the public key only, by kid, with cache headers', async () => {
      const res = await request(t.http).get('/.well-known/jwks.json').expect(200);
      expect(res.headers['cache-control']).toMatch(/public, max-age=\d+/);
      expect(res.body.keys).toEqual([
        { kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid, alg: 'ES256', use: 'sig' },
      ]);
      expect(JSON.stringify(res.body)).not.toContain('"d"');
    });
  });

  it('deleting a user (admin) makes their access tokens 401 at once', async () => {
    const admin = await loginAs(t, await createUser(t, { roles: ['user', 'admin'] }), 'session');
    const victim = await createUser(t);
    const client = await loginAs(t, victim, 'jwt');
    await client.get('/api/examples/jwt-only').expect(200);
    await admin.delete(`/api/admin/users/${victim.id}`).expect(204);
    await client.get('/api/examples/jwt-only').expect(401);
  });
});

describe('refresh reuse grace, measured by the database clock', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await createTestApp({ env: ENV }); // JWT_REFRESH_REUSE_GRACE unset: 2s
    user = await createUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const refresh = (refreshToken: string) => request(t.http).post('/api/auth/token/refresh').send({ refreshToken });
  const jwtOnly = (token: string) =>
    request(t.http).get('/api/examples/jwt-only').set('Authorization', `Bearer ${token}`);
  /** This process's clock `ms` off the database's (the embedded database shares the process clock). */
  const skewAppClock = (ms: number) => {
    const now = Date.now.bind(Date);
    return jest.spyOn(Date, 'now').mockImplementation(() => now() + ms);
  };

  it('with the app clock 10 s ahead, a second presentation within the grace is a race: 401, nothing revoked', async () => {
    const first = (await loginAs(t, user, 'jwt')).refreshToken!;
    const clock = skewAppClock(10_000);
    try {
      const next = (await refresh(first).expect(200)).body;
      await refresh(first).expect(401);
      await jwtOnly(next.accessToken).expect(200);
      await refresh(next.refreshToken).expect(200);
    } finally {
      clock.mockRestore();
    }
  });

  it('with the app clock 10 s behind, a second presentation after the grace is reuse: the login is revoked', async () => {
    const first = (await loginAs(t, user, 'jwt')).refreshToken!;
    const clock = skewAppClock(-10_000);
    try {
      const next = (await refresh(first).expect(200)).body;
      // Used 3 s ago by the database's clock: past the 2 s grace.
      await t.app
        .get(DataSource)
        .query(
          `UPDATE refresh_tokens SET used_at = now() - interval '3 seconds' WHERE used_at IS NOT NULL AND used_at > now() - interval '1 minute'`,
        );
      await refresh(first).expect(401);
      await jwtOnly(next.accessToken).expect(401);
      await refresh(next.refreshToken).expect(401);
    } finally {
      clock.mockRestore();
    }
  });

  it('JWT_REFRESH_REUSE_GRACE=0s: any second presentation is reuse', async () => {
    const strict = await createTestApp({ env: { ...ENV, JWT_REFRESH_REUSE_GRACE: '0s' } });
    try {
      const pair = await loginAs(strict, await createUser(strict), 'jwt');
      const next = (
        await request(strict.http).post('/api/auth/token/refresh').send({ refreshToken: pair.refreshToken }).expect(200)
      ).body;
      await request(strict.http).post('/api/auth/token/refresh').send({ refreshToken: pair.refreshToken }).expect(401);
      await request(strict.http).post('/api/auth/token/refresh').send({ refreshToken: next.refreshToken }).expect(401);
    } finally {
      await strict.close();
    }
  });
});

describe('key rotation', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ persistent: true });
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('a token signed by the previous key still verifies, and JWKS lists both keys', async () => {
    const oldKeys = es256Pair();
    const newKeys = es256Pair();
    const before = await createTestApp({
      db,
      env: { JWT_PRIVATE_KEY: oldKeys.privateKey, JWT_PUBLIC_KEY: oldKeys.publicKey },
    });
    const user = await createUser(before);
    const old = await loginAs(before, user, 'jwt');
    await before.close();

    const after = await createTestApp({
      db,
      env: {
        JWT_PRIVATE_KEY: newKeys.privateKey,
        JWT_PUBLIC_KEY: newKeys.publicKey,
        JWT_PREVIOUS_PUBLIC_KEYS: oldKeys.publicKey,
      },
    });
    try {
      await request(after.http)
        .get('/api/examples/jwt-only')
        .set('Authorization', `Bearer ${old.accessToken}`)
        .expect(200);
      const jwks = (await request(after.http).get('/.well-known/jwks.json').expect(200)).body.keys as Array<{
        kid: string;
      }>;
      const oldKid = decodeProtectedHeader(old.accessToken!).kid;
      expect(jwks).toHaveLength(2);
      expect(jwks[1]?.kid).toBe(oldKid);
      const fresh = (
        await request(after.http).post('/api/auth/token/refresh').send({ refreshToken: old.refreshToken }).expect(200)
      ).body;
      expect(decodeProtectedHeader(fresh.accessToken).kid).toBe(jwks[0]?.kid);
      expect(jwks[0]?.kid).not.toBe(oldKid);
    } finally {
      await after.close();
    }
  }, 60_000);
});

describe('HS256 mode', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { JWT_ALGORITHM: 'HS256', JWT_SECRET: 'an HS256 secret of at least 32 bytes!' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('signs with HS256, verifies, and publishes no keys', async () => {
    const client = await loginAs(t, await createUser(t), 'jwt');
    expect(decodeProtectedHeader(client.accessToken!).alg).toBe('HS256');
    await client.get('/api/examples/jwt-only').expect(200);
    await request(t.http).get('/.well-known/jwks.json').expect(200, { keys: [] });
  });
});
