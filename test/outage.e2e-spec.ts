import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import request from 'supertest';
import { createUser, loginAs, type Client } from './support/kit.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * The database goes away under a running instance, then comes back: requests that need it get
 * 503 (not 500), those that do not keep working, and the instance recovers by itself. Needs a
 * PostgreSQL server to take away, so jest.config.mjs runs it only with DATABASE_URL.
 */
describe('database outage', () => {
  let db: TestDatabase;
  let t: TestApp;
  let client: Client;
  let admin: pg.Client;
  let name: string;

  const setAvailable = async (available: boolean) => {
    await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS ${available}`);
    if (!available) await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    name = new URL(db.url!).pathname.slice(1);
    t = await createTestApp({ db });
    client = await loginAs(t, await createUser(t), 'jwt');
    admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await setAvailable(true);
    await admin.end();
    await t.close();
    await db.dispose();
  });

  it('answers 503 where the database is needed, 200 where it is not, and recovers', async () => {
    await client.get('/api/users/me').expect(200);
    await setAvailable(false);

    const health = await request(t.http).get('/api/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'error', details: { database: { status: 'down' } } });
    expect(health.body.details.database).toEqual({ status: 'down' });
    const { hostname, port } = new URL(db.url!);
    for (const leak of ['ECONN', 'message', hostname, `:${port}`, name]) expect(health.text).not.toContain(leak);
    const me = await client.get('/api/users/me');
    expect(me.status).toBe(503);
    expect(me.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(JSON.stringify(me.body)).not.toMatch(/postgres|pg_|SELECT|at /);
    await client.get('/api/examples/jwt-only').expect(200);
    await request(t.http).get('/.well-known/jwks.json').expect(200);
    await request(t.http).post('/api/auth/token/login').send({ email: client.user.email, password: client.user.password }).expect(503);

    await setAvailable(true);
    await request(t.http).get('/api/health').expect(200);
    await client.get('/api/users/me').expect(200);
  }, 60_000);
});
