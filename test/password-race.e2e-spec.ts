import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createUser, loginAs } from './support/kit.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a password change racing logins made with the old password', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  /** One change with 20 old-password logins around it; what it made that still works. */
  async function race(): Promise<{ made: number; alive: string[] }> {
    const user = await createUser(t);
    const me = await loginAs(t, user, 'jwt');
    const newPassword = 'a brand new password';
    const credentials = { email: user.email, password: user.password };

    const change = me
      .post('/api/users/me/password')
      .send({ currentPassword: user.password, newPassword })
      .then((res) => res);
    // Staggered over the change's own duration: some logins check the password before it, some
    // during it, some after it; both mechanisms are in the mix.
    const logins = Array.from({ length: 20 }, (_, i) =>
      sleep(i * 6).then(() =>
        request(t.http)
          .post(i % 2 ? '/api/auth/token/login' : '/api/auth/session/login')
          .send(credentials),
      ),
    );
    expect((await change).status).toBe(204);
    const answers = await Promise.all(logins);

    expect(answers.map((res) => res.status).filter((status) => status !== 200 && status !== 401)).toEqual([]);
    const made = answers.filter((res) => res.status === 200);
    const alive: string[] = [];
    for (const res of made) {
      if (res.body.accessToken) {
        const body = res.body as { accessToken: string; refreshToken: string };
        const get = await request(t.http).get('/api/users/me').set('Authorization', `Bearer ${body.accessToken}`);
        if (get.status !== 401) alive.push(`access token: ${get.status}`);
        const refresh = await request(t.http).post('/api/auth/token/refresh').send({ refreshToken: body.refreshToken });
        if (refresh.status !== 401) alive.push(`refresh token: ${refresh.status}`);
      } else {
        const cookie = ([] as string[])
          .concat(res.headers['set-cookie'] ?? [])
          .find((c) => c.startsWith('sid='))
          ?.split(';')[0];
        const get = await request(t.http)
          .get('/api/users/me')
          .set('Cookie', cookie ?? '');
        if (get.status !== 401) alive.push(`cookie: ${get.status}`);
      }
    }

    await me.get('/api/users/me').expect(200);
    await loginAs(t, { ...user, password: newPassword }, 'session');
    await loginAs(t, { ...user, password: newPassword }, 'jwt');
    await request(t.http).post('/api/auth/token/login').send(credentials).expect(401);
    return { made: made.length, alive };
  }

  it('once the change has answered, no credential from an old-password login works', async () => {
    // A round where every login came too late to succeed proves nothing: race again, a few times.
    let made = 0;
    for (let round = 0; round < 5 && made === 0; round++) {
      const outcome = await race();
      expect(outcome.alive).toEqual([]);
      made += outcome.made;
    }
    expect(made).toBeGreaterThan(0);
  });
});
