import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { sign } from 'cookie-signature';
import { sha256Hex } from '../src/common/hash.js';
import { LoginsService } from '../src/sessions/logins.service.js';
import { SessionCache } from '../src/sessions/session-cache.js';
import { RevocationListService } from '../src/tokens/revocation-list.service.js';
import { createUser, loginAs, type TestUser } from './support/kit.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase } from './support/test-database.js';

const cookieOf = (res: request.Response, name = 'sid') =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${name}=`));

describe('session mode', () => {
  let t: TestApp;
  let ada: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    ada = await createUser(t, { name: 'Ada' });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('POST /api/auth/session/login', () => {
    it('answers 200 {user, csrfToken} and sets an HttpOnly, SameSite=Lax sid cookie', async () => {
      const res = await request(t.http)
        .post('/api/auth/session/login')
        .send({ email: ada.email, password: ada.password });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        user: {
          id: ada.id,
          email: ada.email,
          name: 'Ada',
          roles: ['user'],
          emailVerified: false,
          mfaEnabled: false,
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
        csrfToken: expect.stringMatching(/^[0-9a-f]{32,}$/),
      });
      const cookie = cookieOf(res);
      expect(cookie).toMatch(/^sid=[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
      expect(cookie).not.toContain('Secure');
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('accepts the email in any case and with spaces', async () => {
      await request(t.http)
        .post('/api/auth/session/login')
        .send({ email: ` ${ada.email.toUpperCase()} `, password: ada.password })
        .expect(200);
    });

    it('gives one 401 answer for an unknown email and a wrong password', async () => {
      const unknown = await request(t.http)
        .post('/api/auth/session/login')
        .send({ email: 'nobody@example.com', password: ada.password });
      const wrong = await request(t.http)
        .post('/api/auth/session/login')
        .send({ email: ada.email, password: 'wrong password' });
      expect(unknown.status).toBe(401);
      expect(wrong.status).toBe(401);
      expect(unknown.body).toEqual(wrong.body);
      expect(wrong.body).toEqual({ statusCode: 401, message: 'Invalid email or password', error: 'Unauthorized' });
      expect(cookieOf(wrong)).toBeUndefined();
    });

    it.each([
      ['a missing password', { email: 'a@example.com' }],
      ['a malformed email', { email: 'nope', password: 'whatever1' }],
      ['an unknown field', { email: 'a@example.com', password: 'whatever1', remember: true }],
      ['a non-string password', { email: 'a@example.com', password: 123 }],
    ])('answers 400 for %s', async (_case, body) => {
      const res = await request(t.http).post('/api/auth/session/login').send(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, message: expect.any(Array) });
    });

    it('never adopts an attacker-chosen session id and issues a new one at every login', async () => {
      const planted = 'sid=s%3Aattacker-chosen.invalidsignature';
      const first = await request(t.http)
        .post('/api/auth/session/login')
        .set('Cookie', planted)
        .send({ email: ada.email, password: ada.password });
      expect(first.status).toBe(200);
      expect(cookieOf(first)?.split(';')[0]).not.toBe(planted);

      const agent = request.agent(t.http);
      const a = await agent.post('/api/auth/session/login').send({ email: ada.email, password: ada.password });
      const b = await agent.post('/api/auth/session/login').send({ email: ada.email, password: ada.password });
      expect(cookieOf(a)?.split(';')[0]).not.toBe(cookieOf(b)?.split(';')[0]);
    });

    it('works at the path as Express routes it: any case, trailing slash', async () => {
      for (const path of ['/api/auth/session/login/', '/API/Auth/Session/Login']) {
        const res = await request(t.http).post(path).send({ email: ada.email, password: ada.password });
        expect(res.status).toBe(200);
        expect(cookieOf(res)).toMatch(/^sid=/);
      }
    });

    it('logging in again over a live session replaces its login record', async () => {
      const user = await createUser(t);
      const client = await loginAs(t, user, 'session');
      await client.post('/api/auth/session/login').send({ email: user.email, password: user.password }).expect(200);
      const devices = (await client.get('/api/auth/sessions').expect(200)).body;
      expect(devices).toHaveLength(1);
      expect(devices[0].current).toBe(true);
    });
  });

  // The database store; test/redis-sessions.e2e-spec.ts holds the same checks for Redis.
  if (!process.env.REDIS_URL)
    describe('the session store (database)', () => {
      it('keeps only ids and the CSRF token, keyed by a hash of the session id', async () => {
        const client = await loginAs(t, ada, 'session');
        const rows: Array<{ sid_hash: string; data: Record<string, unknown> }> = await t.app
          .get(DataSource)
          .query(
            `SELECT s.sid_hash, s.data FROM http_sessions s JOIN logins l ON l.id = s.login_id WHERE l.user_id = $1`,
            [ada.id],
          );
        const raw = decodeURIComponent(client.cookie!.slice(4)).slice(2).split('.')[0]!;
        expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) {
          expect(row.sid_hash).toMatch(/^[0-9a-f]{64}$/);
          expect(row.sid_hash).not.toContain(raw);
          expect(Object.keys(row.data).sort()).toEqual(['cookie', 'csrfToken', 'passport']);
          expect(Object.keys(row.data.passport as object)).toEqual(['user']);
          expect(Object.keys((row.data.passport as { user: object }).user).sort()).toEqual(['loginId', 'userId']);
          expect(JSON.stringify(row.data)).not.toMatch(/example\.com|argon2|password/);
        }
      });

      it('is not queried for requests without a cookie, read once for a session, and not rewritten on every request', async () => {
        const client = await loginAs(t, ada, 'session');
        const query = jest.spyOn(t.app.get(DataSource), 'query');
        try {
          await request(t.http).get('/api/examples/public').expect(200);
          await request(t.http).get('/api/users/me').expect(401);
          await request(t.http).post('/api/notes').send({ title: 'x', body: 'y' }).expect(401);
          const sessionSql = () =>
            query.mock.calls.map(([sql]) => String(sql)).filter((sql) => sql.includes('http_sessions'));
          expect(sessionSql()).toEqual([]);

          await client.get('/api/users/me').expect(200);
          await client.get('/api/users/me').expect(200);
          await client.get('/api/examples/either').expect(200);
          // One read (the record is cached), and no write: the login just wrote it, the next
          // touch is a minute away.
          expect(sessionSql()).toHaveLength(1);
          expect(sessionSql().every((sql) => sql.trimStart().startsWith('SELECT'))).toBe(true);
        } finally {
          query.mockRestore();
        }
      });
    });

  describe('CSRF', () => {
    it('GET /api/auth/csrf returns the session token; 401 without a session', async () => {
      const client = await loginAs(t, ada, 'session');
      const res = await client.get('/api/auth/csrf').expect(200);
      expect(res.body).toEqual({ csrfToken: client.csrfToken });
      await request(t.http).get('/api/auth/csrf').expect(401);
    });

    it('rejects a cookie-authenticated POST, PATCH or DELETE without the right X-CSRF-Token', async () => {
      const client = await loginAs(t, ada, 'session');
      const note = (await client.post('/api/notes').send({ title: 't', body: 'b' }).expect(201)).body as { id: string };
      const bare = request(t.http);
      for (const [method, path, body] of [
        ['post', '/api/notes', { title: 't', body: 'b' }],
        ['patch', `/api/notes/${note.id}`, { title: 'changed' }],
        ['delete', `/api/notes/${note.id}`, undefined],
      ] as const) {
        const missing = await bare[method](path).set('Cookie', client.cookie!).send(body);
        expect(missing.status).toBe(403);
        expect(missing.body).toMatchObject({ statusCode: 403, message: 'Missing or invalid CSRF token' });
        const wrong = await bare[method](path)
          .set('Cookie', client.cookie!)
          .set('X-CSRF-Token', `${client.csrfToken}x`)
          .send(body);
        expect(wrong.status).toBe(403);
      }
      await client.patch(`/api/notes/${note.id}`).send({ title: 'changed' }).expect(200);
      await client.delete(`/api/notes/${note.id}`).expect(204);
    });

    it('does not accept the token of another session', async () => {
      const mine = await loginAs(t, ada, 'session');
      const other = await loginAs(t, ada, 'session');
      await request(t.http)
        .post('/api/notes')
        .set('Cookie', mine.cookie!)
        .set('X-CSRF-Token', other.csrfToken!)
        .send({ title: 't', body: 'b' })
        .expect(403);
    });
  });

  describe('POST /api/auth/session/logout', () => {
    it('revokes the login, clears the cookie, and the old cookie is 401 afterwards', async () => {
      const client = await loginAs(t, ada, 'session');
      await client.get('/api/users/me').expect(200);
      const res = await client.post('/api/auth/session/logout');
      expect(res.status).toBe(204);
      expect(cookieOf(res)).toMatch(/^sid=; Path=\/; Expires=Thu, 01 Jan 1970/);
      await request(t.http).get('/api/users/me').set('Cookie', client.cookie!).expect(401);
      const [login]: Array<{ revoked_at: Date | null }> = await t.app
        .get(DataSource)
        .query(`SELECT l.revoked_at FROM logins l WHERE l.user_id = $1 ORDER BY l.revoked_at DESC NULLS LAST LIMIT 1`, [
          ada.id,
        ]);
      expect(login?.revoked_at).toBeInstanceOf(Date);
    });

    it('needs the CSRF token', async () => {
      const client = await loginAs(t, ada, 'session');
      await request(t.http).post('/api/auth/session/logout').set('Cookie', client.cookie!).expect(403);
      await client.get('/api/users/me').expect(200);
    });

    it('is 401 without a session', async () => {
      await request(t.http).post('/api/auth/session/logout').expect(401);
    });
  });

  it('a login record revoked in the database alone ends its session with the next reload of the revocation list', async () => {
    const client = await loginAs(t, ada, 'session');
    await client.get('/api/users/me').expect(200);
    // No broadcast: the cached record stays until the periodic reload finds the revocation.
    await t.app.get(DataSource).query(`UPDATE logins SET revoked_at = now() WHERE user_id = $1`, [ada.id]);
    await t.app.get(RevocationListService).reload();
    await client.get('/api/users/me').expect(401);
  });

  it('a revoked login ends its session at once', async () => {
    const client = await loginAs(t, ada, 'session');
    const loginId = (
      (await client.get('/api/auth/sessions').expect(200)).body as Array<{ id: string; current: boolean }>
    ).find((d) => d.current)!.id;
    await t.app.get(LoginsService).revokeById(loginId, 'device');
    await client.get('/api/users/me').expect(401);
  });
});

describe('the read-only path for cached sessions', () => {
  let t: TestApp;
  let ada: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    ada = await createUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  /** The session id inside a `sid=s%3A<id>.<signature>` cookie. */
  const sessionId = (cookie: string) =>
    decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1))
      .slice(2)
      .split('.')[0]!;
  const cached = (cookie: string) => t.app.get(SessionCache).lookup(sha256Hex(sessionId(cookie))).state === 'hit';
  const me = (cookie: string) => request(t.http).get('/api/users/me').set('Cookie', cookie);
  /** A client whose session record this instance has cached (one request after login loads it). */
  const cachedClient = async () => {
    const client = await loginAs(t, ada, 'session');
    await me(client.cookie!).expect(200);
    expect(cached(client.cookie!)).toBe(true);
    return client;
  };

  it('serves a cached session without re-signing the cookie on every response', async () => {
    const client = await cachedClient();
    for (let i = 0; i < 3; i++) {
      const res = await me(client.cookie!).expect(200);
      expect(res.body.id).toBe(ada.id);
      expect(cookieOf(res)).toBeUndefined();
    }
  });

  it.each([
    ['a forged signature', (sid: string) => `sid=${encodeURIComponent(`s:${sid}.${'A'.repeat(43)}`)}`],
    [
      'a cookie signed with another secret (rotated away)',
      (sid: string) => `sid=${encodeURIComponent(`s:${sign(sid, 'another-secret-another-secret-another')}`)}`,
    ],
    ['an unsigned session id', (sid: string) => `sid=${encodeURIComponent(sid)}`],
  ])('refuses %s even while the session is cached', async (_case, forge) => {
    const client = await cachedClient();
    const sid = sessionId(client.cookie!);
    await me(forge(sid)).expect(401);
    expect(cached(client.cookie!)).toBe(true);
    await me(client.cookie!).expect(200);
  });

  it.each([
    ['after', (cookie: string) => `${cookie}\u00a0`],
    ['before', (cookie: string) => cookie.replace('=', '=\u00a0')],
  ])('refuses a value with a no-break space %s it, as express-session does, cached or not', async (_where, pad) => {
    // cookie.parse trims spaces and tabs only; the NBSP stays in the value and breaks the signature.
    const client = await cachedClient();
    await me(pad(client.cookie!)).expect(401);
    expect(cached(client.cookie!)).toBe(true);
    await me(`${client.cookie!} \t; theme=dark`).expect(200);
    const cold = await loginAs(t, ada, 'session');
    await me(pad(cold.cookie!)).expect(401);
  });

  it('with two session cookies, the first one counts, as express-session reads them', async () => {
    const client = await cachedClient();
    const forged = `sid=${encodeURIComponent(`s:${sessionId(client.cookie!)}.${'A'.repeat(43)}`)}`;
    await me(`${forged}; ${client.cookie!}`).expect(401);
    await me(`${client.cookie!}; ${forged}`).expect(200);
    await me(`${client.cookie!}; ${client.cookie!}`).expect(200);
  });

  it('still enforces CSRF on unsafe methods', async () => {
    const client = await cachedClient();
    const post = () => request(t.http).post('/api/notes').set('Cookie', client.cookie!);
    await post().send({ title: 't', body: 'b' }).expect(403);
    await post().set('X-CSRF-Token', `${client.csrfToken}x`).send({ title: 't', body: 'b' }).expect(403);
    await post().set('X-CSRF-Token', client.csrfToken!).send({ title: 't', body: 'b' }).expect(201);
  });

  it('refuses a cached session once its login is revoked', async () => {
    const client = await cachedClient();
    const loginId = (
      (await client.get('/api/auth/sessions').expect(200)).body as Array<{ id: string; current: boolean }>
    ).find((d) => d.current)!.id;
    await t.app.get(LoginsService).revokeById(loginId, 'device');
    await me(client.cookie!).expect(401);
  });

  it('logout and a new login over a cached session still go through express-session', async () => {
    const client = await cachedClient();
    const again = await request(t.http)
      .post('/api/auth/session/login')
      .set('Cookie', client.cookie!)
      .send({ email: ada.email, password: ada.password })
      .expect(200);
    const renewed = cookieOf(again)!.split(';')[0]!;
    expect(sessionId(renewed)).not.toBe(sessionId(client.cookie!));
    await me(client.cookie!).expect(401);
    await me(renewed).expect(200);
    await me(renewed).expect(200);
    expect(cached(renewed)).toBe(true);
    const out = await request(t.http)
      .post('/api/auth/session/logout')
      .set('Cookie', renewed)
      .set('X-CSRF-Token', again.body.csrfToken)
      .expect(204);
    expect(cookieOf(out)).toMatch(/^sid=; Path=\/; Expires=Thu, 01 Jan 1970/);
    expect(cached(renewed)).toBe(false);
    await me(renewed).expect(401);
  });
});

describe('COOKIE_SECURE=true behind a TLS-terminating proxy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { COOKIE_SECURE: 'true', TRUST_PROXY: '1' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('sets a Secure cookie for requests the proxy received over HTTPS', async () => {
    const user = await createUser(t);
    const res = await request(t.http)
      .post('/api/auth/session/login')
      .set('X-Forwarded-Proto', 'https')
      .send({ email: user.email, password: user.password });
    expect(res.status).toBe(200);
    expect(cookieOf(res, '__Host-sid')).toMatch(/; HttpOnly; Secure; SameSite=Lax$/);
  });

  it('names the cookie __Host-sid: Secure, Path=/, no Domain; it authenticates, a planted sid does not, logout clears it', async () => {
    const user = await createUser(t);
    const https = (req: request.Test) => req.set('X-Forwarded-Proto', 'https');
    const login = await https(request(t.http).post('/api/auth/session/login')).send({
      email: user.email,
      password: user.password,
    });
    expect(login.status).toBe(200);
    const setCookie = cookieOf(login, '__Host-sid');
    expect(setCookie).toBeDefined();
    const attributes = setCookie!.split('; ').slice(1);
    expect(attributes).toEqual(expect.arrayContaining(['Path=/', 'Secure', 'HttpOnly', 'SameSite=Lax']));
    expect(attributes.some((a) => /^domain=/i.test(a))).toBe(false);
    expect(cookieOf(login, 'sid')).toBeUndefined();

    const value = setCookie!.split(';')[0]!.slice('__Host-sid='.length);
    await https(request(t.http).get('/api/examples/session-only')).set('Cookie', `__Host-sid=${value}`).expect(200);
    // The same value under the plain name, as a sibling subdomain could set it: not a session cookie here.
    await https(request(t.http).get('/api/examples/session-only')).set('Cookie', `sid=${value}`).expect(401);

    const logout = await https(request(t.http).post('/api/auth/session/logout'))
      .set('Cookie', `sid=x; __Host-sid=${value}`)
      .set('X-CSRF-Token', login.body.csrfToken);
    expect(logout.status).toBe(204);
    expect(cookieOf(logout, '__Host-sid')).toMatch(/^__Host-sid=; Path=\/; Expires=Thu, 01 Jan 1970/);
    await https(request(t.http).get('/api/examples/session-only')).set('Cookie', `__Host-sid=${value}`).expect(401);
  });

  it('documents the __Host-sid cookie in the OpenAPI security scheme', async () => {
    const res = await request(t.http).get('/docs-json').expect(200);
    expect(res.body.components.securitySchemes.session).toMatchObject({
      type: 'apiKey',
      in: 'cookie',
      name: '__Host-sid',
    });
  });
});

describe('session lifetime', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await createTestApp({ env: { SESSION_IDLE_TTL: '2s', SESSION_ABSOLUTE_TTL: '4s' } });
    user = await createUser(t);
  });
  afterAll(async () => {
    await t.close();
  });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('keeps an active session alive past the idle timeout, but not past the absolute lifetime', async () => {
    // The server starts the session between these two instants: active until 3.4 s after the
    // earlier one, it is younger than 4 s; checked 4.1 s after the later one, it is older.
    const loginSent = Date.now();
    const client = await loginAs(t, user, 'session');
    const loggedIn = Date.now();
    // Cookie expiry has one-second granularity: a 2 s idle timeout is the shortest that tests well.
    while (Date.now() - loginSent < 3400) {
      await client.get('/api/users/me').expect(200);
      await sleep(300);
    }
    await sleep(Math.max(0, 4100 - (Date.now() - loggedIn)));
    // Sent by hand: the server must refuse it, whatever a browser would do with an old cookie.
    await request(t.http).get('/api/users/me').set('Cookie', client.cookie!).expect(401);
  });

  it('ends a session left idle past SESSION_IDLE_TTL', async () => {
    const client = await loginAs(t, user, 'session');
    await client.get('/api/users/me').expect(200);
    await sleep(2300);
    await request(t.http).get('/api/users/me').set('Cookie', client.cookie!).expect(401);
  });
});

describe('sessions survive a restart', () => {
  it('a logged-in cookie still works on a new app over the same database', async () => {
    const db = await createTestDatabase({ persistent: true });
    try {
      const first = await createTestApp({ db });
      const user = await createUser(first);
      const client = await loginAs(first, user, 'session');
      await first.close();

      const second = await createTestApp({ db });
      try {
        const res = await request(second.http).get('/api/examples/session-only').set('Cookie', client.cookie!);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ userId: user.id, via: 'session' });
      } finally {
        await second.close();
      }
    } finally {
      await db.dispose();
    }
  }, 60_000);
});
