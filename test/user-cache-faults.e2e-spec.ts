import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import request from 'supertest';
import { MfaService } from '../src/mfa/mfa.service.js';
import { UsersService } from '../src/users/users.service.js';
import { FaultProxy } from './support/fault-proxy.js';
import { es256Pair } from './support/keys.js';
import { createAdmin, createUser, loginAs } from './support/kit.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * A change to a user whose answer from PostgreSQL is lost (the connection drops after the
 * commit): the call fails, but the row has changed, and every instance must stop serving the
 * cached user within a second all the same, not after the cache's 30 s. Instance A reaches the
 * database through a proxy that cuts at the chosen point; B is connected directly. Needs a
 * PostgreSQL server, so jest.config.mjs runs it only with DATABASE_URL.
 */
describe('user cache: a change whose answer is lost is announced all the same', () => {
  const keys = es256Pair();
  const env = {
    JWT_PRIVATE_KEY: keys.privateKey,
    JWT_PUBLIC_KEY: keys.publicKey,
    REDIS_URL: process.env.REDIS_URL ?? '',
  };
  let db: TestDatabase;
  let proxy: FaultProxy;
  let a: TestApp;
  let b: TestApp;
  let sql: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    const proxied = await FaultProxy.forUrl(db.url!);
    proxy = proxied.proxy;
    a = await createTestApp({ db: { ...db, url: proxied.url }, env });
    b = await createTestApp({ db, env });
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    proxy?.restore();
    await sql?.end();
    await a?.close();
    await b?.close();
    await proxy?.close();
    await db?.dispose();
  });

  /** Polls until `check` holds; the milliseconds it took, or Infinity after `withinMs`. */
  const timeUntil = async (check: () => Promise<boolean>, withinMs: number) => {
    const started = Date.now();
    while (Date.now() - started < withinMs) {
      if (await check()) return Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return Infinity;
  };

  it('a demotion whose UPDATE answer never reached A: B refuses the admin route within 1 s', async () => {
    const victim = await loginAs(a, await createAdmin(a), 'session');
    const onB = async () => (await request(b.http).get('/api/admin/users').set('Cookie', victim.cookie!)).status;
    expect(await onB()).toBe(200); // B has the user cached as an admin
    let sent = false;
    const cut = proxy.cutWhen((chunk, direction) => {
      if (direction === 'up' && chunk.includes('UPDATE "users" SET "roles"')) sent = true;
      return direction === 'down' && sent && chunk.includes('UPDATE 1');
    });
    await expect(a.app.get(UsersService).setRoles(victim.user.id, ['user'])).rejects.toThrow();
    await cut;
    proxy.restore();
    const { rows } = await sql.query<{ roles: string[] }>('SELECT roles FROM users WHERE id = $1', [victim.user.id]);
    expect(rows[0]!.roles).toEqual(['user']); // committed, though A never heard so
    expect(await timeUntil(async () => (await onB()) === 403, 1000)).toBeLessThan(1000);
  });

  it('MFA turned off on A whose COMMIT answer was lost: users/me on B says so within 1 s', async () => {
    const user = await createUser(a);
    const client = await loginAs(a, user, 'jwt');
    const mfaOnB = async () =>
      (await request(b.http).get('/api/users/me').set('Authorization', `Bearer ${client.accessToken}`).expect(200)).body
        .mfaEnabled as boolean;
    await sql.query('UPDATE users SET mfa_enabled = true WHERE id = $1', [user.id]);
    expect(await mfaOnB()).toBe(true); // read after the direct update: cached as on
    let sent = false;
    const cut = proxy.cutWhen((chunk, direction) => {
      if (direction === 'up' && chunk.includes('"mfa_enabled"')) sent = true;
      return direction === 'down' && sent && chunk.includes('COMMIT');
    });
    await a.app
      .get(MfaService)
      .disable({ userId: user.id })
      .catch(() => undefined);
    await cut;
    proxy.restore();
    const { rows } = await sql.query<{ mfa_enabled: boolean }>('SELECT mfa_enabled FROM users WHERE id = $1', [
      user.id,
    ]);
    expect(rows[0]!.mfa_enabled).toBe(false);
    expect(await timeUntil(async () => (await mfaOnB()) === false, 1000)).toBeLessThan(1000);
  });
});
