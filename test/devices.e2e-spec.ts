import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createUser, loginAs, type TestUser } from './support/kit.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const FIREFOX_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:133.0) Gecko/20100101 Firefox/133.0';
const CHROME_ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';

describe('devices: every login of mine, both kinds', () => {
  let t: TestApp;
  let ada: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    ada = await createUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists a cookie and two token logins with the right current flag, newest use first', async () => {
    const user = await createUser(t);
    const cookie = await loginAs(t, user, 'session', { 'User-Agent': FIREFOX_MAC });
    const phone = await loginAs(t, user, 'jwt', { 'User-Agent': CHROME_ANDROID });
    const cli = await loginAs(t, user, 'jwt', { 'User-Agent': 'curl/8.5.0' });

    const res = await phone.get('/api/auth/sessions').expect(200);
    expect(res.body).toHaveLength(3);
    for (const device of res.body) {
      expect(Object.keys(device).sort()).toEqual([
        'createdAt',
        'current',
        'device',
        'expiresAt',
        'id',
        'ip',
        'kind',
        'lastUsedAt',
        'mfa',
        'userAgent',
      ]);
    }
    expect(res.body.map((d: { kind: string }) => d.kind).sort()).toEqual(['session', 'token', 'token']);
    const current = res.body.filter((d: { current: boolean }) => d.current);
    expect(current).toHaveLength(1);
    expect(current[0]).toMatchObject({ kind: 'token', userAgent: CHROME_ANDROID, device: 'Chrome 131 on Android' });
    const firefox = res.body.find((d: { kind: string }) => d.kind === 'session');
    expect(firefox).toMatchObject({ device: 'Firefox 133 on macOS', userAgent: FIREFOX_MAC, ip: '127.0.0.1' });
    const times = res.body.map((d: { lastUsedAt: string }) => Date.parse(d.lastUsedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    // The list never holds a credential.
    const text = JSON.stringify(res.body);
    for (const secret of [cookie.cookie!.slice(4), phone.accessToken!, phone.refreshToken!, cli.refreshToken!])
      expect(text).not.toContain(secret);

    const fromCookie = await cookie.get('/api/auth/sessions').expect(200);
    expect(fromCookie.body.find((d: { current: boolean }) => d.current).kind).toBe('session');
  });

  it('revoking the cookie login from a token login makes the cookie 401 at once', async () => {
    const cookie = await loginAs(t, ada, 'session');
    const token = await loginAs(t, ada, 'jwt');
    const list = (await token.get('/api/auth/sessions').expect(200)).body as Array<{
      id: string;
      kind: string;
      current: boolean;
    }>;
    const cookieLogin = (await cookie.get('/api/auth/sessions').expect(200)).body.find(
      (d: { current: boolean }) => d.current,
    );
    expect(list.map((d) => d.id)).toContain(cookieLogin.id);
    await token.delete(`/api/auth/sessions/${cookieLogin.id}`).expect(204);
    await cookie.get('/api/users/me').expect(401);
    await token.get('/api/users/me').expect(200);
  });

  it('revoking a token login from the cookie makes its access and refresh tokens 401 at once', async () => {
    const cookie = await loginAs(t, ada, 'session');
    const token = await loginAs(t, ada, 'jwt');
    const tokenLogin = (await token.get('/api/auth/sessions').expect(200)).body.find(
      (d: { current: boolean }) => d.current,
    );
    await cookie.delete(`/api/auth/sessions/${tokenLogin.id}`).expect(204);
    await token.get('/api/examples/jwt-only').expect(401);
    await request(t.http).post('/api/auth/token/refresh').send({ refreshToken: token.refreshToken }).expect(401);
    await cookie.get('/api/users/me').expect(200);
  });

  it('someone else’s login id, an unknown one, or one already revoked is 404; a non-uuid 400', async () => {
    const mine = await loginAs(t, ada, 'jwt');
    const other = await loginAs(t, await createUser(t), 'jwt');
    const theirs = (await other.get('/api/auth/sessions').expect(200)).body[0].id as string;
    await mine.delete(`/api/auth/sessions/${theirs}`).expect(404);
    await other.get('/api/users/me').expect(200);
    await mine.delete('/api/auth/sessions/3f0c6a52-8d1e-4a7b-9a43-6f0f3f7d9b11').expect(404);
    await mine.delete('/api/auth/sessions/nope').expect(400);
    const cookie = await loginAs(t, ada, 'session');
    const cookieId = (await cookie.get('/api/auth/sessions').expect(200)).body.find(
      (d: { current: boolean }) => d.current,
    ).id;
    await mine.delete(`/api/auth/sessions/${cookieId}`).expect(204);
    await mine.delete(`/api/auth/sessions/${cookieId}`).expect(404);
  });

  it('DELETE /api/auth/sessions keeps only the caller', async () => {
    const user = await createUser(t);
    const others = [await loginAs(t, user, 'session'), await loginAs(t, user, 'jwt'), await loginAs(t, user, 'jwt')];
    const me = await loginAs(t, user, 'session');
    await me.delete('/api/auth/sessions').expect(204);
    const left = (await me.get('/api/auth/sessions').expect(200)).body;
    expect(left).toHaveLength(1);
    expect(left[0].current).toBe(true);
    for (const client of others) await client.get('/api/users/me').expect(401);
  });

  it('cookie-authenticated revocations need the CSRF token', async () => {
    const cookie = await loginAs(t, ada, 'session');
    const other = await loginAs(t, ada, 'jwt');
    const otherId = (await other.get('/api/auth/sessions').expect(200)).body.find(
      (d: { current: boolean }) => d.current,
    ).id;
    await request(t.http).delete('/api/auth/sessions').set('Cookie', cookie.cookie!).expect(403);
    await request(t.http).delete(`/api/auth/sessions/${otherId}`).set('Cookie', cookie.cookie!).expect(403);
    await other.get('/api/users/me').expect(200);
  });

  it('is 401 without a login', async () => {
    await request(t.http).get('/api/auth/sessions').expect(401);
  });
});

describe('client IP behind a proxy', () => {
  // One app at a time: Passport keeps its strategies in a process-wide registry.
  it.each([
    ['1', '203.0.113.7'],
    ['false', '127.0.0.1'],
  ])('with TRUST_PROXY=%s the recorded IP is %s', async (trustProxy, expected) => {
    const t = await createTestApp({ env: { TRUST_PROXY: trustProxy } });
    try {
      const client = await loginAs(t, await createUser(t), 'jwt', { 'X-Forwarded-For': '203.0.113.7' });
      expect((await client.get('/api/auth/sessions').expect(200)).body[0].ip).toBe(expected);
    } finally {
      await t.close();
    }
  });
});
