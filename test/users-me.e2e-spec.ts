import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { UsersService } from '../src/users/users.service.js';
import { createUser, loginAs, type Client, type TestUser } from './support/kit.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('/api/users/me', () => {
  let t: TestApp;
  let ada: TestUser;
  let client: Client;
  beforeAll(async () => {
    t = await createTestApp();
    ada = await createUser(t, { name: 'Ada' });
    client = await loginAs(t, ada, 'session');
  });
  afterAll(async () => {
    await t.close();
  });

  it('GET returns the caller as a user object', async () => {
    const res = await client.get('/api/users/me').expect(200);
    expect(res.body).toEqual({
      id: ada.id,
      email: ada.email,
      name: 'Ada',
      roles: ['user'],
      emailVerified: false,
      mfaEnabled: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it('PATCH {name} changes the name', async () => {
    const res = await client.patch('/api/users/me').send({ name: '  Ada King ' }).expect(200);
    expect(res.body).toMatchObject({ id: ada.id, name: 'Ada King' });
    await client
      .get('/api/users/me')
      .expect(200)
      .expect((r) => expect(r.body.name).toBe('Ada King'));
  });

  it.each([
    ['an empty name', { name: '' }],
    ['a name over 100 characters', { name: 'n'.repeat(101) }],
    ['an email change', { email: 'other@example.com' }],
    ['roles', { name: 'x', roles: ['admin'] }],
  ])('PATCH answers 400 for %s', async (_case, body) => {
    await client.patch('/api/users/me').send(body).expect(400);
    await client
      .get('/api/users/me')
      .expect(200)
      .expect((r) => expect(r.body.roles).toEqual(['user']));
  });

  it('a change made inside a transaction is served from the cache once committed, at once', async () => {
    const users = t.app.get(UsersService);
    const grace = await createUser(t);
    expect((await users.findProfile(grace.id))?.mfaEnabled).toBe(false); // cached now
    await t.app.get(DataSource).transaction(async (manager) => {
      await users.setMfaEnabled(manager, grace.id, true);
    });
    expect((await users.findProfile(grace.id))?.mfaEnabled).toBe(true);
  });

  it('is 401 without a login', async () => {
    await request(t.http).get('/api/users/me').expect(401);
    await request(t.http).patch('/api/users/me').send({ name: 'x' }).expect(401);
  });
});
