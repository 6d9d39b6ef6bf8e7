import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('POST /api/auth/register', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const register = (body: unknown) =>
    request(t.http)
      .post('/api/auth/register')
      .send(body as object);

  it('creates a user and answers 201 with the public user object', async () => {
    const res = await register({ email: '  Grace@Example.COM ', password: 'correct horse', name: ' Grace Hopper ' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: 'grace@example.com',
      name: 'Grace Hopper',
      roles: ['user'],
      emailVerified: false,
      mfaEnabled: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it('stores the password as an argon2id hash with the OWASP parameters', async () => {
    await register({ email: 'hash@example.com', password: 'correct horse' }).expect(201);
    const rows: Array<{ password_hash: string }> = await t.app
      .get(DataSource)
      .query('SELECT password_hash FROM users WHERE email = $1', ['hash@example.com']);
    expect(rows[0]?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('answers 409 for an email taken in any letter case', async () => {
    await register({ email: 'dup@example.com', password: 'correct horse' }).expect(201);
    const res = await register({ email: 'DUP@example.com', password: 'another one' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
  });

  it.each([
    ['a bad email', { email: 'not-an-email', password: 'correct horse' }],
    ['a short password', { email: 'short@example.com', password: 'short' }],
    ['a long password', { email: 'long@example.com', password: 'x'.repeat(129) }],
    ['an unknown field', { email: 'field@example.com', password: 'correct horse', admin: true }],
    ['a missing password', { email: 'nopass@example.com' }],
    ['a non-string password', { email: 'num@example.com', password: 12345678 }],
    ['a name over 100 characters', { email: 'name@example.com', password: 'correct horse', name: 'n'.repeat(101) }],
    ['an email over 254 characters', { email: `${'a'.repeat(250)}@example.com`, password: 'correct horse' }],
  ])('answers 400 with validation messages for %s', async (_case, body) => {
    const res = await register(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(Array) });
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await request(t.http)
      .post('/api/auth/register')
      .set('Content-Type', 'application/json')
      .send('{"email": "x');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, message: 'Malformed JSON body', error: 'Bad Request' });
  });

  it('answers 413 for a 200 kB body', async () => {
    const res = await register({ email: 'big@example.com', password: 'correct horse', name: 'x'.repeat(200_000) });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
  });

  it('answers 400, not 500, for a body that is not JSON', async () => {
    const res = await request(t.http).post('/api/auth/register').set('Content-Type', 'text/plain').send('email=a');
    expect(res.status).toBe(400);
  });

  it('never returns a password or hash', async () => {
    const res = await register({ email: 'leak@example.com', password: 'correct horse' }).expect(201);
    expect(JSON.stringify(res.body)).not.toMatch(/password|argon2|hash/i);
  });
});
