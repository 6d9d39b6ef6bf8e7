import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createNote, createUser, loginAs } from './support/kit.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('account lifecycle', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('POST /api/users/me/password', () => {
    it.each(['session', 'jwt'] as const)(
      'from a %s login: 204, the caller stays, every other login ends',
      async (mode) => {
        const user = await createUser(t);
        const others = [await loginAs(t, user, 'session'), await loginAs(t, user, 'jwt')];
        const me = await loginAs(t, user, mode);
        await me
          .post('/api/users/me/password')
          .send({ currentPassword: user.password, newPassword: 'a brand new password' })
          .expect(204);
        await me.get('/api/users/me').expect(200);
        for (const other of others) await other.get('/api/users/me').expect(401);
        await request(t.http)
          .post('/api/auth/token/refresh')
          .send({ refreshToken: others[1]!.refreshToken })
          .expect(401);
        await loginAs(t, { ...user, password: 'a brand new password' }, 'jwt');
        await request(t.http)
          .post('/api/auth/token/login')
          .send({ email: user.email, password: user.password })
          .expect(401);
      },
    );

    it('answers 401 to a wrong current password and changes nothing', async () => {
      const user = await createUser(t);
      const other = await loginAs(t, user, 'jwt');
      const me = await loginAs(t, user, 'jwt');
      await me
        .post('/api/users/me/password')
        .send({ currentPassword: 'not my password', newPassword: 'a brand new password' })
        .expect(401);
      await other.get('/api/users/me').expect(200);
      await loginAs(t, user, 'session');
    });

    it.each([
      [{ currentPassword: 'x', newPassword: 'short' }],
      [{ currentPassword: 'x' }],
      [{ currentPassword: 'x', newPassword: 'long enough', extra: 1 }],
    ])('answers 400 for %j', async (body) => {
      const me = await loginAs(t, await createUser(t), 'jwt');
      await me.post('/api/users/me/password').send(body).expect(400);
    });

    it('needs the CSRF token with a cookie', async () => {
      const user = await createUser(t);
      const me = await loginAs(t, user, 'session');
      await request(t.http)
        .post('/api/users/me/password')
        .set('Cookie', me.cookie!)
        .send({ currentPassword: user.password, newPassword: 'a brand new password' })
        .expect(403);
    });
  });

  describe('DELETE /api/users/me', () => {
    it('deletes the user, their notes and logins: every credential 401 at once, no rows left', async () => {
      const user = await createUser(t);
      const cookie = await loginAs(t, user, 'session');
      const token = await loginAs(t, user, 'jwt');
      await createNote(token);
      await createNote(cookie);
      const loginIds = ((await token.get('/api/auth/sessions').expect(200)).body as Array<{ id: string }>).map(
        (d) => d.id,
      );
      await cookie.delete('/api/users/me').send({ password: user.password }).expect(204);
      await cookie.get('/api/users/me').expect(401);
      await token.get('/api/examples/jwt-only').expect(401);
      await request(t.http).post('/api/auth/token/refresh').send({ refreshToken: token.refreshToken }).expect(401);
      const db = t.app.get(DataSource);
      const count = async (sql: string) => Number((await db.query<Array<{ count: string }>>(sql, [user.id]))[0]?.count);
      expect(await count('SELECT count(*) FROM users WHERE id = $1')).toBe(0);
      expect(await count('SELECT count(*) FROM notes WHERE owner_id = $1')).toBe(0);
      expect(await count('SELECT count(*) FROM logins WHERE user_id = $1')).toBe(0);
      expect(await count("SELECT count(*) FROM http_sessions s WHERE s.data->'passport'->'user'->>'userId' = $1")).toBe(
        0,
      );
      const tokens: Array<{ count: string }> = await db.query(
        'SELECT count(*) FROM refresh_tokens WHERE login_id = ANY($1)',
        [loginIds],
      );
      expect(loginIds).toHaveLength(2);
      expect(Number(tokens[0]?.count)).toBe(0);
      await request(t.http)
        .post('/api/auth/token/login')
        .send({ email: user.email, password: user.password })
        .expect(401);
    });

    it('answers 401 to a wrong password and deletes nothing', async () => {
      const user = await createUser(t);
      const me = await loginAs(t, user, 'jwt');
      await me.delete('/api/users/me').send({ password: 'not my password' }).expect(401);
      await me.get('/api/users/me').expect(200);
    });

    it('answers 400 without a password', async () => {
      const me = await loginAs(t, await createUser(t), 'jwt');
      await me.delete('/api/users/me').send({}).expect(400);
    });
  });
});
