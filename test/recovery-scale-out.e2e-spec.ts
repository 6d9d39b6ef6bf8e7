import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createUser, loginAs } from './support/kit.js';
import { es256Pair } from './support/keys.js';
import { TestSmtpServer, tokenFrom } from './support/smtp.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * A password reset on one instance ends the user's logins on another within a second, as a
 * password change does (same revocation broadcast: Redis when REDIS_URL is set, PostgreSQL
 * LISTEN/NOTIFY otherwise). Two instances need PostgreSQL: jest.config.mjs runs this file in
 * the PostgreSQL pass only.
 */
describe('password reset with two instances', () => {
  const keys = es256Pair();
  const env = { JWT_PRIVATE_KEY: keys.privateKey, JWT_PUBLIC_KEY: keys.publicKey };
  let smtp: TestSmtpServer;
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    db = await createTestDatabase();
    a = await createTestApp({ db, env: { ...env, SMTP_URL: smtp.url } });
    b = await createTestApp({ db, env: { ...env, SMTP_URL: smtp.url } });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.dispose();
    await smtp?.close();
  });

  it('a reset on one instance ends the session and token logins held on the other within 1 s', async () => {
    const ada = await createUser(b);
    const session = await loginAs(b, ada, 'session');
    const token = await loginAs(b, ada, 'jwt');
    await session.get('/api/users/me').expect(200);
    await token.get('/api/users/me').expect(200);

    await request(a.http).post('/api/auth/password/forgot').send({ email: ada.email }).expect(202);
    const reset = tokenFrom(await smtp.waitFor(ada.email, 2));
    await request(a.http)
      .post('/api/auth/password/reset')
      .send({ token: reset, newPassword: 'a brand new passphrase' })
      .expect(204);
    const resetAt = Date.now();

    const statuses = async () => [
      (await session.get('/api/users/me')).status,
      (await token.get('/api/users/me')).status,
    ];
    let seen = await statuses();
    while (seen.some((status) => status !== 401) && Date.now() - resetAt < 1_000) seen = await statuses();
    expect(seen).toEqual([401, 401]);
    expect(Date.now() - resetAt).toBeLessThan(1_000);
  });
});
