import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { UsersService } from '../src/users/users.service.js';
import { createUser, loginAs, uniqueEmail } from './support/kit.js';
import { startServer } from './support/server-process.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const ADMIN_PASSWORD = 'configured admin password';

/** ADMIN_EMAIL / ADMIN_PASSWORD only ever create a missing account; restarts run on the same data. */
describe('first administrator from the configuration', () => {
  let db: TestDatabase;
  let t: TestApp | undefined;
  beforeEach(async () => {
    db = await createTestDatabase({ persistent: true });
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await db.dispose();
  });

  const restart = async (env: Record<string, string> = {}) => {
    await t?.close();
    t = await createTestApp({ db, env });
    return t;
  };
  const login = (app: TestApp, email: string, password: string) =>
    request(app.http).post('/api/auth/token/login').send({ email, password });

  it('an account registered before ADMIN_EMAIL named it is not made admin, and keeps its own password', async () => {
    const email = uniqueEmail('boss');
    const squatter = await createUser(await restart(), { email, password: 'squatter password' });

    const app = await restart({ ADMIN_EMAIL: email.toUpperCase(), ADMIN_PASSWORD });
    const client = await loginAs(app, squatter, 'session');
    const me = await client.get('/api/users/me').expect(200);
    expect(me.body.roles).toEqual(['user']);
    await client.get('/api/admin/users').expect(403);
    await login(app, email, ADMIN_PASSWORD).expect(401);
  }, 60_000);

  it('a demoted administrator stays demoted after a restart', async () => {
    const email = uniqueEmail('root');
    const env = { ADMIN_EMAIL: email, ADMIN_PASSWORD };
    let app = await restart(env);
    const admin = { id: '', email, password: ADMIN_PASSWORD, name: null, roles: [] };
    const before = await (await loginAs(app, admin, 'session')).get('/api/users/me').expect(200);
    expect(before.body.roles).toEqual(['user', 'admin']);
    await app.app.get(UsersService).setRoles(before.body.id, ['user']);

    app = await restart(env);
    const after = await (await loginAs(app, admin, 'session')).get('/api/users/me').expect(200);
    expect(after.body.roles).toEqual(['user']);
  }, 60_000);

  it('a missing administrator is created with the admin role, once, even by two starts at once', async () => {
    const email = uniqueEmail('first');
    const app = await restart({ ADMIN_EMAIL: email, ADMIN_PASSWORD });
    const me = await (
      await loginAs(app, { id: '', email, password: ADMIN_PASSWORD, name: null, roles: [] }, 'jwt')
    )
      .get('/api/users/me')
      .expect(200);
    expect(me.body.roles).toEqual(['user', 'admin']);

    // Two instances starting together: both look, both find nothing, one insert loses the race.
    const other = uniqueEmail('race');
    const users = app.app.get(UsersService);
    const ds = app.app.get(DataSource);
    // Open pool connections first, so neither lookup waits for a connection and sees the other's insert.
    await Promise.all([1, 2, 3].map(() => ds.query('SELECT pg_sleep(0.05)')));
    const results = await Promise.all([
      users.createAdminIfMissing(other, ADMIN_PASSWORD),
      users.createAdminIfMissing(other, ADMIN_PASSWORD),
    ]);
    expect(results.map((result) => result.created).sort()).toEqual([false, true]);
    expect(results[0]?.user.id).toBe(results[1]?.user.id);
    const rows: Array<{ count: string }> = await ds.query('SELECT count(*) FROM users WHERE email = $1', [other]);
    expect(Number(rows[0]?.count)).toBe(1);
  }, 60_000);

  it('the service warns at start-up that the existing account was left unchanged, and how to promote it', async () => {
    const email = uniqueEmail('taken');
    await createUser(await restart(), { email, password: 'squatter password' });
    await t?.close();
    t = undefined;
    // Keys and secrets go to a folder of their own on PostgreSQL too, never into the repository.
    const dataDir = db.dataDir ?? mkdtempSync(join(tmpdir(), 'nda-admin-'));
    try {
      const server = await startServer({
        DATA_DIR: dataDir,
        DATABASE_URL: db.url ?? '',
        ADMIN_EMAIL: email,
        ADMIN_PASSWORD,
      });
      const { stdout } = await server.stop();
      const warning = stdout.split('\n').find((line) => line.includes('was left unchanged'));
      expect(warning).toContain(email);
      expect(warning).toContain(`npm run cli -- promote ${email}`);
      expect(warning && JSON.parse(warning).level).toBe(40);
      expect(stdout).not.toContain(ADMIN_PASSWORD);
    } finally {
      if (!db.dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
