import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AuditService } from '../src/audit/audit.service.js';
import { PurgeJob } from '../src/auth/purge.job.js';
import { createAdmin, createUser, loginAs, type Client, type TestUser, uniqueEmail } from './support/kit.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase } from './support/test-database.js';

interface Event {
  type: string;
  userId: string | null;
  ip: string | null;
  userAgent: string | null;
  mode: string | null;
  loginId: string | null;
  details: Record<string, unknown> | null;
}

describe('audit trail', () => {
  let t: TestApp;
  let admin: Client;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await loginAs(t, await createAdmin(t), 'session');
  });
  afterAll(async () => {
    await t.close();
  });

  const eventsOf = async (user: TestUser, query = '') =>
    (await admin.get(`/api/admin/audit?userId=${user.id}&limit=100${query}`).expect(200)).body.items as Event[];

  it('records logins, refreshes, revocations, password changes and role changes', async () => {
    const user = await createUser(t);
    const session = await loginAs(t, user, 'session');
    const token = await loginAs(t, user, 'jwt');
    await request(t.http).post('/api/auth/token/refresh').send({ refreshToken: token.refreshToken }).expect(200);
    await session
      .post('/api/users/me/password')
      .send({ currentPassword: user.password, newPassword: 'another password' })
      .expect(204);
    await admin
      .patch(`/api/admin/users/${user.id}/roles`)
      .send({ roles: ['user', 'admin'] })
      .expect(200);

    const types = (await eventsOf(user)).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'login.succeeded',
        'token.refreshed',
        'password.changed',
        'login.revoked',
        'role.changed',
      ]),
    );
    const logins = (await eventsOf(user, '&type=login.succeeded')).map((e) => e.mode).sort();
    expect(logins).toEqual(['session', 'token']);
    const revoked = await eventsOf(user, '&type=login.revoked');
    expect(revoked).toEqual([expect.objectContaining({ mode: 'token', details: { reason: 'password.changed' } })]);
  });

  it('records a failed login for an unknown email by a keyed hash only, never the email in clear', async () => {
    await request(t.http)
      .post('/api/auth/token/login')
      .send({ email: 'ghost@example.com', password: 'wrong password' })
      .expect(401);
    await request(t.http)
      .post('/api/auth/session/login')
      .send({ email: 'phantom@example.com', password: 'wrong password' })
      .expect(401);
    await t.app.get(AuditService).flush();
    const rows: Array<{ mode: string; email_hash: string; user_id: string | null }> = await t.app
      .get(DataSource)
      .query(
        `SELECT mode, email_hash, user_id FROM auth_events WHERE type = 'login.failed' AND user_id IS NULL ORDER BY occurred_at`,
      );
    expect(rows.map((r) => r.mode)).toEqual(['token', 'session']);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.email_hash))).toBe(true);
    expect(rows[0]?.email_hash).not.toBe(rows[1]?.email_hash);
  });

  it('a wrong password for an existing account shows in its owner’s activity and under its userId, without an email hash', async () => {
    const user = await createUser(t);
    await request(t.http)
      .post('/api/auth/session/login')
      .send({ email: user.email.toUpperCase(), password: 'wrong password' })
      .expect(401);
    const owner = await loginAs(t, user, 'jwt');
    const mine = (await owner.get('/api/users/me/activity').expect(200)).body.items as Event[];
    expect(mine).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'login.failed', userId: user.id, mode: 'session' })]),
    );
    expect(await eventsOf(user, '&type=login.failed')).toEqual([
      expect.objectContaining({ type: 'login.failed', userId: user.id }),
    ]);
    const rows: Array<{ email_hash: string | null }> = await t.app
      .get(DataSource)
      .query(`SELECT email_hash FROM auth_events WHERE type = 'login.failed' AND user_id = $1`, [user.id]);
    expect(rows).toEqual([{ email_hash: null }]);
  });

  it('a refresh-token replay shows as token.reuse_detected, with the login revoked', async () => {
    const user = await createUser(t);
    const first = await loginAs(t, user, 'jwt');
    await request(t.http).post('/api/auth/token/refresh').send({ refreshToken: first.refreshToken }).expect(200);
    await t.app
      .get(DataSource)
      .query(`UPDATE refresh_tokens SET used_at = now() - interval '1 minute' WHERE used_at IS NOT NULL`);
    await request(t.http)
      .post('/api/auth/token/refresh')
      .set('User-Agent', 'replaying-client/1.0')
      .send({ refreshToken: first.refreshToken })
      .expect(401);
    await t.app.get(AuditService).flush();
    expect(await eventsOf(user, '&type=token.reuse_detected')).toEqual([
      expect.objectContaining({
        userId: user.id,
        mode: 'token',
        userAgent: 'replaying-client/1.0',
        ip: expect.any(String),
      }),
    ]);
    const rows: Array<{ type: string; login_id: string }> = await t.app
      .get(DataSource)
      .query(
        `SELECT type, login_id FROM auth_events WHERE type IN ('token.reuse_detected', 'login.revoked') AND details->>'reason' IS DISTINCT FROM 'password.changed' ORDER BY occurred_at DESC LIMIT 2`,
      );
    expect(rows.map((r) => r.type).sort()).toEqual(['login.revoked', 'token.reuse_detected']);
    expect(rows[0]?.login_id).toBe(rows[1]?.login_id);
  });

  it('records token.refreshed with the IP and user agent of the refreshing client', async () => {
    const user = await createUser(t);
    const token = await loginAs(t, user, 'jwt');
    await request(t.http)
      .post('/api/auth/token/refresh')
      .set('User-Agent', 'refreshing-client/2.0')
      .send({ refreshToken: token.refreshToken })
      .expect(200);
    expect(await eventsOf(user, '&type=token.refreshed')).toEqual([
      expect.objectContaining({
        userId: user.id,
        userAgent: 'refreshing-client/2.0',
        ip: expect.stringMatching(/^(127\.0\.0\.1|::1)$/),
      }),
    ]);
  });

  it('no audit row contains a password, token, cookie or hash', async () => {
    const user = await createUser(t, { password: 'a very secret passphrase' });
    const session = await loginAs(t, user, 'session');
    const token = await loginAs(t, user, 'jwt');
    const next = (
      await request(t.http).post('/api/auth/token/refresh').send({ refreshToken: token.refreshToken }).expect(200)
    ).body;
    await request(t.http)
      .post('/api/auth/session/login')
      .send({ email: user.email, password: 'a wrong secret passphrase' })
      .expect(401);
    await t.app.get(AuditService).flush();
    const db = t.app.get(DataSource);
    const dump = JSON.stringify(await db.query('SELECT * FROM auth_events'));
    const [hash] = await db.query<Array<{ password_hash: string }>>('SELECT password_hash FROM users WHERE id = $1', [
      user.id,
    ]);
    const sid = decodeURIComponent(session.cookie!.slice(4));
    for (const secret of [
      'a very secret passphrase',
      'a wrong secret passphrase',
      token.accessToken!,
      token.refreshToken!,
      next.accessToken,
      next.refreshToken,
      sid,
      sid.slice(2, 40),
      hash!.password_hash,
      session.csrfToken!,
    ]) {
      expect(dump).not.toContain(secret);
    }
    expect(dump).not.toMatch(/argon2|Bearer /);
  });

  it('GET /api/users/me/activity lists the caller’s own events in either mode', async () => {
    const user = await createUser(t);
    const token = await loginAs(t, user, 'jwt');
    await loginAs(t, await createUser(t), 'jwt'); // someone else's events
    const res = await token.get('/api/users/me/activity').expect(200);
    expect(res.body).toMatchObject({ page: 1, limit: 20, total: 1 });
    expect(res.body.items[0]).toMatchObject({ type: 'login.succeeded', userId: user.id, mode: 'token' });
    const session = await loginAs(t, user, 'session');
    expect((await session.get('/api/users/me/activity').expect(200)).body.total).toBe(2);
  });

  it('GET /api/admin/audit filters by type and time range, and validates its query', async () => {
    const user = await createUser(t);
    await loginAs(t, user, 'jwt');
    await request(t.http)
      .post('/api/auth/token/login')
      .send({ email: user.email, password: 'wrong password' })
      .expect(401);
    const from = new Date(Date.now() - 60_000).toISOString();
    const res = await admin.get(`/api/admin/audit?type=login.failed&from=${from}&limit=100`).expect(200);
    expect(res.body.items).toContainEqual(expect.objectContaining({ type: 'login.failed', mode: 'token' }));
    expect(res.body.items.every((e: Event) => e.type === 'login.failed')).toBe(true);
    const old = await admin.get(`/api/admin/audit?userId=${user.id}&to=${from}`).expect(200);
    expect(old.body).toMatchObject({ total: 0, items: [] });
    const future = await admin
      .get(`/api/admin/audit?from=${new Date(Date.now() + 86_400_000).toISOString()}`)
      .expect(200);
    expect(future.body.total).toBe(0);
    await admin.get('/api/admin/audit?type=nope').expect(400);
    await admin.get('/api/admin/audit?from=yesterday').expect(400);
    await admin.get('/api/admin/audit?userId=42').expect(400);
    await admin.get('/api/admin/audit?from=-200000-01-01T00:00:00Z').expect(400);
    await admin.get('/api/admin/audit?to=%2B275760-09-13T00:00:00Z').expect(400);
  });

  it('GET /api/admin/audit is session-only and admin-only', async () => {
    const user = await createUser(t);
    await (await loginAs(t, user, 'session')).get('/api/admin/audit').expect(403);
    await (await loginAs(t, user, 'jwt')).get('/api/admin/audit').expect(401);
  });
});

describe('audit of locked logins', () => {
  let t: TestApp;
  let admin: Client;
  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_MAX_FAILURES: '1' } });
    admin = await loginAs(t, await createAdmin(t), 'session');
  });
  afterAll(async () => {
    await t.close();
  });

  it('a locked attempt on an existing account is login.locked under its userId; on an unknown email, a hash and no user', async () => {
    const user = await createUser(t);
    const attempt = (email: string, password: string) =>
      request(t.http).post('/api/auth/token/login').send({ email, password });
    await attempt(user.email, 'wrong password').expect(401);
    await attempt(user.email, user.password).expect(429);
    // Unique: with Redis, lockout counters outlive this app (other files, earlier runs).
    const unknown = uniqueEmail('nobody');
    await attempt(unknown, 'wrong password').expect(401);
    await attempt(unknown, 'wrong password').expect(429);
    const locked = (await admin.get(`/api/admin/audit?userId=${user.id}&type=login.locked`).expect(200)).body
      .items as Event[];
    expect(locked).toEqual([expect.objectContaining({ type: 'login.locked', userId: user.id, mode: 'token' })]);
    const rows: Array<{ user_id: string | null; email_hash: string | null }> = await t.app
      .get(DataSource)
      .query(`SELECT user_id, email_hash FROM auth_events WHERE type = 'login.locked' ORDER BY occurred_at`);
    expect(rows).toEqual([
      { user_id: user.id, email_hash: null },
      { user_id: null, email_hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
  });
});

describe('at shutdown', () => {
  it('writes the audit events and "last used" marks recorded right before the app closes', async () => {
    const db = await createTestDatabase({ persistent: true });
    try {
      const first = await createTestApp({ db });
      const user = await createUser(first);
      const token = await loginAs(first, user, 'jwt');
      await first.app
        .get(DataSource)
        .query(`UPDATE logins SET last_used_at = '2000-01-01' WHERE user_id = $1`, [user.id]);
      await token.get('/api/users/me').expect(200);
      await first.close();

      const second = await createTestApp({ db });
      try {
        const query = (sql: string) => second.app.get(DataSource).query<Array<Record<string, unknown>>>(sql, [user.id]);
        expect((await query('SELECT type FROM auth_events WHERE user_id = $1')).map((row) => row.type)).toEqual([
          'login.succeeded',
        ]);
        const [login] = await query('SELECT last_used_at FROM logins WHERE user_id = $1');
        expect((login?.last_used_at as Date).getFullYear()).toBeGreaterThan(2000);
      } finally {
        await second.close();
      }
    } finally {
      await db.dispose();
    }
  });
});

describe('purge job', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { AUDIT_RETENTION: '1d' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('removes ended and long-revoked logins and old audit events, and keeps the rest', async () => {
    const db = t.app.get(DataSource);
    const user = await createUser(t);
    const live = await loginAs(t, user, 'session');
    const expired = await loginAs(t, user, 'jwt');
    const revokedLongAgo = await loginAs(t, user, 'jwt');
    const revokedJustNow = await loginAs(t, user, 'jwt');
    const idOf = (c: Client) =>
      c.accessToken ? JSON.parse(Buffer.from(c.accessToken.split('.')[1]!, 'base64url').toString()).sid : null;
    await db.query(`UPDATE logins SET expires_at = now() - interval '1 minute' WHERE id = $1`, [idOf(expired)]);
    await db.query(`UPDATE logins SET revoked_at = now() - interval '1 hour' WHERE id = $1`, [idOf(revokedLongAgo)]);
    await db.query(`UPDATE logins SET revoked_at = now() WHERE id = $1`, [idOf(revokedJustNow)]);
    await t.app.get(AuditService).flush();
    await db.query(`UPDATE auth_events SET occurred_at = now() - interval '2 days' WHERE login_id = $1`, [
      idOf(expired),
    ]);

    const purged = await t.app.get(PurgeJob).run();
    expect(purged).toEqual({ logins: 2, tombstones: 0, events: 1, counters: 0, challenges: 0 });
    const left: Array<{ id: string }> = await db.query('SELECT id FROM logins WHERE user_id = $1', [user.id]);
    expect(left.map((r) => r.id).sort()).toEqual(
      [
        idOf(revokedJustNow),
        (await live.get('/api/auth/sessions').expect(200)).body.find((d: { current: boolean }) => d.current).id,
      ].sort(),
    );
    const tokens: Array<{ count: string }> = await db.query(
      'SELECT count(*) FROM refresh_tokens WHERE login_id = ANY($1)',
      [[idOf(expired), idOf(revokedLongAgo)]],
    );
    expect(Number(tokens[0]?.count)).toBe(0);
    expect(await t.app.get(PurgeJob).run()).toEqual({
      logins: 0,
      tombstones: 0,
      events: 0,
      counters: 0,
      challenges: 0,
    });
  });
});
