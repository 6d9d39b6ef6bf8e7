import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createUser, loginAs, type Client, type TestUser } from './support/kit.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('declaring protection per controller', () => {
  let t: TestApp;
  let ada: TestUser;
  let session: Client;
  beforeAll(async () => {
    t = await createTestApp();
    ada = await createUser(t);
    session = await loginAs(t, ada, 'session');
  });
  afterAll(async () => {
    await t.close();
  });

  it('@Public(): anyone, via null', async () => {
    await request(t.http).get('/api/examples/public').expect(200, { via: null });
  });

  it.each(['session-only', 'jwt-only', 'either'])('%s: 401 without credentials', async (route) => {
    const res = await request(t.http).get(`/api/examples/${route}`);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
  });

  it('a 401 on a route that takes bearer tokens says WWW-Authenticate: Bearer', async () => {
    expect((await request(t.http).get('/api/examples/jwt-only')).headers['www-authenticate']).toBe('Bearer');
    expect((await request(t.http).get('/api/examples/either')).headers['www-authenticate']).toBe('Bearer');
    expect((await request(t.http).get('/api/examples/session-only')).headers['www-authenticate']).toBeUndefined();
  });

  it("@Auth('session') accepts the cookie and reports via session", async () => {
    await session.get('/api/examples/session-only').expect(200, { userId: ada.id, via: 'session' });
  });

  it("@Auth('session', 'jwt') accepts the cookie and reports via session", async () => {
    await session.get('/api/examples/either').expect(200, { userId: ada.id, via: 'session' });
  });

  it("@Auth('jwt') answers 401 to a valid session cookie", async () => {
    const res = await session.get('/api/examples/jwt-only');
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('This route does not accept session cookies');
  });

  it("@Auth('session') answers 401 to a bearer token, without WWW-Authenticate", async () => {
    const res = await request(t.http).get('/api/examples/session-only').set('Authorization', 'Bearer abc.def.ghi');
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('This route does not accept bearer tokens');
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('a rejected bearer token is 401 invalid_token, never a fall-back to the valid cookie', async () => {
    const res = await session.get('/api/examples/either').set('Authorization', 'Bearer not.a.token');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it.each(['Basic YTpi', 'Bearer', 'Bearer a b', 'bearer'])(
    'a malformed Authorization header (%s) is 401',
    async (header) => {
      await request(t.http).get('/api/examples/either').set('Authorization', header).expect(401);
    },
  );

  it('a forged or garbage cookie is 401', async () => {
    await request(t.http).get('/api/examples/either').set('Cookie', 'sid=s%3Aforged.signature').expect(401);
    await request(t.http).get('/api/examples/either').set('Cookie', 'sid=garbage').expect(401);
    await request(t.http)
      .get('/api/examples/either')
      .set('Cookie', `${session.cookie!.slice(0, -3)}abc`)
      .expect(401);
  });
});
