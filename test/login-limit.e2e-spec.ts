import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AuditService } from '../src/audit/audit.service.js';
import { LoginsService } from '../src/sessions/logins.service.js';
import { createUser, loginAs, type Client } from './support/kit.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('MAX_LOGINS_PER_USER', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { MAX_LOGINS_PER_USER: '3' } });
  });
  afterAll(async () => {
    await t.close();
  });

  const loginIdOf = async (client: Client): Promise<string> =>
    ((await client.get('/api/auth/sessions').expect(200)).body as Array<{ id: string; current: boolean }>).find(
      (d) => d.current,
    )!.id;

  it('a login past the limit ends the least recently used one, whichever its kind', async () => {
    const user = await createUser(t);
    const first = await loginAs(t, user, 'jwt');
    const second = await loginAs(t, user, 'session');
    const third = await loginAs(t, user, 'jwt');
    const [firstId, secondId] = [await loginIdOf(first), await loginIdOf(second)];
    // The oldest login was used since: the least recently used is now the second one.
    await t.app.get(LoginsService).markUsed([firstId]);

    const fourth = await loginAs(t, user, 'jwt');
    await second.get('/api/users/me').expect(401);
    for (const client of [first, third, fourth]) await client.get('/api/users/me').expect(200);
    const devices = (await fourth.get('/api/auth/sessions').expect(200)).body as Array<{ id: string }>;
    expect(devices).toHaveLength(3);
    expect(devices.map((d) => d.id)).not.toContain(secondId);

    // The next one ends the least recently used of the rest: the third login, its refresh token too.
    await t.app.get(LoginsService).markUsed([firstId, await loginIdOf(fourth)]);
    await loginAs(t, user, 'session');
    await third.get('/api/users/me').expect(401);
    await request(t.http).post('/api/auth/token/refresh').send({ refreshToken: third.refreshToken }).expect(401);
    await first.get('/api/users/me').expect(200);

    await t.app.get(AuditService).flush();
    const events: Array<{ details: { reason: string }; user_id: string; mode: string }> = await t.app
      .get(DataSource)
      .query(`SELECT details, user_id, mode FROM auth_events WHERE type = 'login.revoked' AND login_id = $1`, [
        secondId,
      ]);
    expect(events.map((e) => [e.details.reason, e.user_id, e.mode])).toEqual([['login.limit', user.id, 'session']]);
  });

  it('another user and ended logins do not count', async () => {
    const user = await createUser(t);
    const other = await createUser(t);
    // The ended login is the most recently used: were it counted, an older live one would go.
    const kept = [await loginAs(t, user, 'jwt'), await loginAs(t, user, 'session')];
    const ended = await loginAs(t, user, 'jwt');
    await request(t.http).post('/api/auth/token/logout').send({ refreshToken: ended.refreshToken }).expect(204);
    for (let i = 0; i < 3; i++) await loginAs(t, other, 'jwt');
    kept.push(await loginAs(t, user, 'session'));
    for (const client of kept) await client.get('/api/users/me').expect(200);
  });
});
