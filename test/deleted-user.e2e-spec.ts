import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { PurgeJob } from '../src/auth/purge.job.js';
import { es256Pair } from './support/keys.js';
import { createUser, loginAs } from './support/kit.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a deleted user', () => {
  const keys = es256Pair();
  const env = { JWT_PRIVATE_KEY: keys.privateKey, JWT_PUBLIC_KEY: keys.publicKey };
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    // Persistent when embedded, so an app can stop and another start on the same data.
    db = await createTestDatabase({ persistent: true });
    t = await createTestApp({ db, env });
  });
  afterAll(async () => {
    await t.close();
    await db.dispose();
  });

  it('has access tokens and cookies rejected by an instance started after the deletion, reads and writes alike', async () => {
    const user = await createUser(t);
    const token = await loginAs(t, user, 'jwt');
    const other = await loginAs(t, user, 'jwt');
    const session = await loginAs(t, user, 'session');
    await token.delete('/api/users/me').send({ password: user.password }).expect(204);

    // The embedded database serves one process: stop this instance, start the next on its data.
    await t.close();
    t = await createTestApp({ db, env });
    for (const accessToken of [token.accessToken, other.accessToken]) {
      const bearer = `Bearer ${accessToken}`;
      await request(t.http).get('/api/examples/jwt-only').set('Authorization', bearer).expect(401);
      await request(t.http).get('/api/users/me').set('Authorization', bearer).expect(401);
      await request(t.http).post('/api/notes').set('Authorization', bearer).send({ title: 'a', body: 'b' }).expect(401);
    }
    const cookie = session.cookie ?? '';
    expect(cookie).toMatch(/^sid=/);
    await request(t.http).get('/api/users/me').set('Cookie', cookie).expect(401);
    await request(t.http)
      .post('/api/notes')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', session.csrfToken ?? '')
      .send({ title: 'a', body: 'b' })
      .expect(401);
  });

  it('leaves tombstones with nothing personal, purged once no access token can be valid', async () => {
    const user = await createUser(t);
    const token = await loginAs(t, user, 'jwt');
    await loginAs(t, user, 'session');
    const loginIds = ((await token.get('/api/auth/sessions').expect(200)).body as Array<{ id: string }>).map(
      (d) => d.id,
    );
    await token.delete('/api/users/me').send({ password: user.password }).expect(204);

    const data = t.app.get(DataSource);
    const columns: Array<{ column_name: string }> = await data.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'login_tombstones' ORDER BY column_name`,
    );
    expect(columns.map((c) => c.column_name)).toEqual(['login_id', 'revoked_at']);
    const tombstones = async () =>
      (
        await data.query<Array<{ login_id: string }>>(
          'SELECT login_id FROM login_tombstones WHERE login_id = ANY($1)',
          [loginIds],
        )
      )
        .map((row) => row.login_id)
        .sort();
    expect(await tombstones()).toEqual([...loginIds].sort());

    const purge = t.app.get(PurgeJob);
    await purge.run();
    expect(await tombstones()).toEqual([...loginIds].sort());
    // JWT_ACCESS_TTL (15m) and the clock allowances later, no access token of them is valid.
    await purge.run(Date.now() + 20 * 60_000);
    expect(await tombstones()).toEqual([]);
  });

  it('racing logins give 200 or 401, never 500, and nothing they made outlives the deletion', async () => {
    const user = await createUser(t);
    const me = await loginAs(t, user, 'jwt');
    const credentials = { email: user.email, password: user.password };
    const deletion = me
      .delete('/api/users/me')
      .send({ password: user.password })
      .then((res) => res);
    const logins = Array.from({ length: 20 }, (_, i) =>
      sleep(i * 6).then(() =>
        request(t.http)
          .post(i % 2 ? '/api/auth/token/login' : '/api/auth/session/login')
          .send(credentials),
      ),
    );
    expect((await deletion).status).toBe(204);
    const answers = await Promise.all(logins);
    expect(answers.map((res) => res.status).filter((status) => status !== 200 && status !== 401)).toEqual([]);
    for (const res of answers.filter((answer) => answer.status === 200)) {
      if (res.body.accessToken) {
        await request(t.http)
          .get('/api/examples/jwt-only')
          .set('Authorization', `Bearer ${res.body.accessToken}`)
          .expect(401);
        await request(t.http).post('/api/auth/token/refresh').send({ refreshToken: res.body.refreshToken }).expect(401);
      } else {
        const cookie = ([] as string[])
          .concat(res.headers['set-cookie'] ?? [])
          .find((c) => c.startsWith('sid='))
          ?.split(';')[0];
        await request(t.http)
          .get('/api/examples/session-only')
          .set('Cookie', cookie ?? '')
          .expect(401);
      }
    }
  });
});
