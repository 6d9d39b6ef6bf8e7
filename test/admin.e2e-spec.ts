import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createNote, createUser, loginAs, type Client } from './support/kit.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const ADMIN = { ADMIN_EMAIL: 'Root@Example.com', ADMIN_PASSWORD: 'admin password 1' };

describe('/api/admin/users', () => {
  let db: TestDatabase;
  let t: TestApp;
  let admin: Client;
  beforeAll(async () => {
    db = await createTestDatabase({ persistent: true });
    t = await createTestApp({ db, env: ADMIN });
    admin = await loginAs(
      t,
      { id: '', email: 'root@example.com', password: ADMIN.ADMIN_PASSWORD, name: null, roles: [] },
      'session',
    );
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await db.dispose();
  });

  it('the first admin comes from ADMIN_EMAIL / ADMIN_PASSWORD', async () => {
    const me = await admin.get('/api/users/me').expect(200);
    expect(me.body).toMatchObject({ email: 'root@example.com', roles: ['user', 'admin'] });
  });

  it('creating the first admin is idempotent across restarts', async () => {
    await t.close();
    t = await createTestApp({ db, env: ADMIN });
    admin = await loginAs(
      t,
      { id: '', email: 'root@example.com', password: ADMIN.ADMIN_PASSWORD, name: null, roles: [] },
      'session',
    );
    const rows: Array<{ count: string }> = await t.app
      .get(DataSource)
      .query(`SELECT count(*) FROM users WHERE email = 'root@example.com'`);
    expect(Number(rows[0]?.count)).toBe(1);
  }, 60_000);

  it('GET lists users, newest first, paginated', async () => {
    const a = await createUser(t);
    const b = await createUser(t);
    const res = await admin.get('/api/admin/users?limit=2').expect(200);
    expect(res.body).toMatchObject({ page: 1, limit: 2, total: expect.any(Number) });
    expect(res.body.total).toBeGreaterThanOrEqual(3);
    expect(res.body.items.map((u: { id: string }) => u.id)).toEqual([b.id, a.id]);
    expect(JSON.stringify(res.body)).not.toMatch(/argon2|password/i);
  });

  it('PATCH /:id/roles changes roles, which take effect on the user’s next request', async () => {
    const user = await createUser(t);
    const client = await loginAs(t, user, 'session');
    await client.get('/api/admin/users').expect(403);
    const res = await admin
      .patch(`/api/admin/users/${user.id}/roles`)
      .send({ roles: ['user', 'admin'] })
      .expect(200);
    expect(res.body.roles).toEqual(['user', 'admin']);
    await client.get('/api/admin/users').expect(200);
  });

  it.each([[{ roles: ['root'] }], [{ roles: [] }], [{ roles: 'admin' }], [{}]])(
    'PATCH roles answers 400 for %j',
    async (body) => {
      const user = await createUser(t);
      await admin.patch(`/api/admin/users/${user.id}/roles`).send(body).expect(400);
    },
  );

  it('DELETE /:id removes the user with their logins and notes; their cookie stops working', async () => {
    const user = await createUser(t);
    const client = await loginAs(t, user, 'session');
    await createNote(client);
    await admin.delete(`/api/admin/users/${user.id}`).expect(204);
    await client.get('/api/users/me').expect(401);
    const ds = t.app.get(DataSource);
    for (const table of ['users WHERE id = $1', 'logins WHERE user_id = $1', 'notes WHERE owner_id = $1']) {
      const rows: Array<{ count: string }> = await ds.query(`SELECT count(*) FROM ${table}`, [user.id]);
      expect(Number(rows[0]?.count)).toBe(0);
    }
    await admin.delete(`/api/admin/users/${user.id}`).expect(404);
  });

  it('unknown or malformed ids: 404 and 400', async () => {
    await admin
      .patch('/api/admin/users/3f0c6a52-8d1e-4a7b-9a43-6f0f3f7d9b11/roles')
      .send({ roles: ['user'] })
      .expect(404);
    await admin.delete('/api/admin/users/nope').expect(400);
  });

  it('a non-admin gets 403; no login 401; a bearer token 401 even alongside an admin cookie', async () => {
    const user = await loginAs(t, await createUser(t), 'session');
    const denied = await user.get('/api/admin/users');
    expect(denied.status).toBe(403);
    await user.delete(`/api/admin/users/${user.user.id}`).expect(403);
    await request(t.http).get('/api/admin/users').expect(401);
    await admin.get('/api/admin/users').set('Authorization', 'Bearer abc.def.ghi').expect(401);
  });

  it('changing roles needs the CSRF token', async () => {
    const user = await createUser(t);
    await request(t.http)
      .patch(`/api/admin/users/${user.id}/roles`)
      .set('Cookie', admin.cookie!)
      .send({ roles: ['user'] })
      .expect(403);
  });
});
