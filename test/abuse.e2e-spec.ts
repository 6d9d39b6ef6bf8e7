import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import request from 'supertest';
import { AuditService } from '../src/audit/audit.service.js';
import { DataSource } from 'typeorm';
import { createUser, loginAs, type TestUser } from './support/kit.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** Counters from an earlier run on the same Redis must not count here. */
async function clearCounters(): Promise<void> {
  if (!process.env.REDIS_URL) return;
  const redis = new Redis(process.env.REDIS_URL);
  const keys = await redis.keys('nda:count:*');
  if (keys.length) await redis.del(...keys);
  await redis.quit();
}

describe('rate limit on /api/auth/*', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Counted in this app's own database, not in Redis: every spec's requests come from the same
    // socket address, and another file's app on the shared Redis would count into this window.
    // (The Redis counter is covered by the scale-out spec, from an address of its own.)
    t = await createTestApp({ env: { THROTTLE_AUTH_LIMIT: '5', REDIS_URL: '' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 429 with Retry-After past the limit, per IP; other routes are not limited', async () => {
    const ip = { 'X-Forwarded-For': '198.51.100.1' }; // ignored: TRUST_PROXY is off, the IP is the socket's
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await request(t.http).post('/api/auth/token/refresh').set(ip).send({ refreshToken: 'x' })).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    const limited = await request(t.http)
      .post('/api/auth/session/login')
      .send({ email: 'a@example.com', password: 'whatever1' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    await request(t.http).get('/api/examples/public').expect(200);
    await request(t.http).get('/api/health').expect(200);
    // Express routes paths in any letter case; the limit counts them all.
    await request(t.http).post('/API/AUTH/token/refresh').send({ refreshToken: 'x' }).expect(429);
  });
});

describe('login lockout', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    await clearCounters();
    t = await createTestApp({ env: { LOGIN_MAX_FAILURES: '3', TRUST_PROXY: '1' } });
    user = await createUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const attempt = (mode: 'session' | 'token', password: string, ip: string) =>
    request(t.http).post(`/api/auth/${mode}/login`).set('X-Forwarded-For', ip).send({ email: user.email, password });

  it('locks the email+IP pair after LOGIN_MAX_FAILURES failures, even for the right password, in both modes', async () => {
    const ip = '203.0.113.10';
    expect((await attempt('session', 'wrong one', ip)).status).toBe(401);
    expect((await attempt('token', 'wrong two', ip)).status).toBe(401);
    expect((await attempt('session', 'wrong three', ip)).status).toBe(401);
    for (const mode of ['session', 'token'] as const) {
      const locked = await attempt(mode, user.password, ip);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
      expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    }
    // Another address is not locked out: an attacker cannot lock the owner out from elsewhere.
    expect((await attempt('token', user.password, '203.0.113.11')).status).toBe(200);
    await t.app.get(AuditService).flush();
    const rows: Array<{ count: string }> = await t.app
      .get(DataSource)
      .query(`SELECT count(*) FROM auth_events WHERE type = 'login.locked'`);
    expect(Number(rows[0]?.count)).toBe(2);
  });

  it('counts parallel guesses atomically: no more than LOGIN_MAX_FAILURES get to try', async () => {
    const ip = '203.0.113.30';
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => attempt(i % 2 ? 'session' : 'token', `wrong ${i}`, ip)),
    );
    expect(results.filter((res) => res.status === 401)).toHaveLength(3);
    expect(results.filter((res) => res.status === 429)).toHaveLength(9);
  });

  it('limits password re-checks of a logged-in user the same way', async () => {
    const victim = await createUser(t);
    const stolen = await loginAs(t, victim, 'jwt', { 'X-Forwarded-For': '203.0.113.40' });
    const guess = (password: string) =>
      stolen
        .post('/api/users/me/password')
        .set('X-Forwarded-For', '203.0.113.40')
        .send({ currentPassword: password, newPassword: 'taken over!' });
    for (let i = 0; i < 3; i++) await guess(`guess ${i}`).expect(401);
    const locked = await guess(victim.password);
    expect(locked.status).toBe(429);
    expect(locked.headers['retry-after']).toBeDefined();
    await stolen
      .delete('/api/users/me')
      .set('X-Forwarded-For', '203.0.113.40')
      .send({ password: victim.password })
      .expect(429);
  });

  it('a success resets the count', async () => {
    const ip = '203.0.113.20';
    await attempt('token', 'wrong', ip).expect(401);
    await attempt('token', 'wrong', ip).expect(401);
    await attempt('token', user.password, ip).expect(200);
    await attempt('token', 'wrong', ip).expect(401);
    await attempt('token', 'wrong', ip).expect(401);
    await attempt('token', user.password, ip).expect(200);
  });
});

describe('login lockout per account, from any address', () => {
  let t: TestApp;
  beforeAll(async () => {
    await clearCounters();
    // LOGIN_ACCOUNT_MAX_FAILURES unset: the default, 20. The per-pair limit (3) never bites
    // here, every attempt comes from a new address.
    t = await createTestApp({ env: { LOGIN_MAX_FAILURES: '3', LOGIN_ACCOUNT_MAX_FAILURES: '', TRUST_PROXY: '1' } });
  });
  afterAll(async () => {
    await t.close();
  });

  let address = 0;
  /** Each call from an address never used before, as an attacker spoofing X-Forwarded-For. */
  const attempt = (email: string, password: string) =>
    request(t.http)
      .post(`/api/auth/${address % 2 ? 'session' : 'token'}/login`)
      .set('X-Forwarded-For', `198.18.${Math.floor(++address / 250)}.${address % 250}`)
      .send({ email, password });

  it('after 20 failures from 20 addresses, every attempt for that email gets 429, the right password too; another email does not', async () => {
    const victim = await createUser(t);
    const bystander = await createUser(t);
    for (let i = 0; i < 20; i++) await attempt(victim.email, `guess ${i}`).expect(401);
    for (const password of [victim.password, 'guess 21']) {
      const locked = await attempt(victim.email.toUpperCase(), password);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
      expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    }
    await attempt(bystander.email, bystander.password).expect(200);
  });

  it('a success in between does not reset the count (and is not counted as a failure)', async () => {
    const victim = await createUser(t);
    for (let i = 0; i < 10; i++) await attempt(victim.email, `guess ${i}`).expect(401);
    await attempt(victim.email, victim.password).expect(200);
    for (let i = 10; i < 20; i++) await attempt(victim.email, `guess ${i}`).expect(401);
    await attempt(victim.email, victim.password).expect(429);
  });

  it('attempts refused for the email+IP pair do not count against the account', async () => {
    const victim = await createUser(t);
    const fromOneAddress = (password: string) =>
      request(t.http)
        .post('/api/auth/token/login')
        .set('X-Forwarded-For', '198.19.0.1')
        .send({ email: victim.email, password });
    for (let i = 0; i < 3; i++) await fromOneAddress(`guess ${i}`).expect(401);
    // 25 more from the locked pair: over the account's 20 if each were counted for it too.
    for (let i = 3; i < 28; i++) await fromOneAddress(`guess ${i}`).expect(429);
    await attempt(victim.email, victim.password).expect(200);
  });

  it('counts parallel guesses from many addresses atomically: no more than 20 get to try', async () => {
    const victim = await createUser(t);
    const results = await Promise.all(Array.from({ length: 26 }, (_, i) => attempt(victim.email, `guess ${i}`)));
    expect(results.filter((res) => res.status === 401)).toHaveLength(20);
    expect(results.filter((res) => res.status === 429)).toHaveLength(6);
  });
});

describe('uniform answers', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    user = await createUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const timed = async (email: string) => {
    const started = process.hrtime.bigint();
    const res = await request(t.http).post('/api/auth/token/login').send({ email, password: 'not the password' });
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, res };
  };

  it('unknown email and wrong password: same status, same body, similar time (median of 15 each)', async () => {
    const unknown: number[] = [];
    const wrong: number[] = [];
    let bodies = new Set<string>();
    for (let i = 0; i < 15; i++) {
      const a = await timed(`nobody-${i}@example.com`);
      const b = await timed(user.email);
      unknown.push(a.ms);
      wrong.push(b.ms);
      expect([a.res.status, b.res.status]).toEqual([401, 401]);
      bodies = new Set([...bodies, JSON.stringify(a.res.body), JSON.stringify(b.res.body)]);
    }
    expect(bodies.size).toBe(1);
    const ratio = median(unknown) / median(wrong);
    process.stdout.write(
      `login timing: unknown ${median(unknown).toFixed(1)} ms, wrong ${median(wrong).toFixed(1)} ms, ratio ${ratio.toFixed(2)}\n`,
    );
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('registering a taken email is 409 after the same hashing work as a new one', async () => {
    const res = await request(t.http)
      .post('/api/auth/register')
      .send({ email: user.email.toUpperCase(), password: 'another password' });
    expect(res.status).toBe(409);
  });
});

describe('headers and CORS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CORS_ORIGINS: 'https://app.example' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('allows a configured origin with credentials, and no other', async () => {
    const allowed = await request(t.http)
      .options('/api/notes')
      .set('Origin', 'https://app.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    const other = await request(t.http)
      .options('/api/notes')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('marks responses with user data or tokens Cache-Control: no-store', async () => {
    const client = await loginAs(t, await createUser(t), 'jwt');
    expect((await client.get('/api/users/me')).headers['cache-control']).toBe('no-store');
  });
});

describe('CORS by default', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('sends no CORS headers when CORS_ORIGINS is empty', async () => {
    const res = await request(t.http).get('/api/examples/public').set('Origin', 'https://app.example');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
