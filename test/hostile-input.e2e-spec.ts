import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from './support/test-app.js';

/** Request shapes built to cost the server more than their size, or to reach a 500. */
describe('hostile input before authentication', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers a path of 16 000 slashes and a letter with an ordinary 404', async () => {
    const slashes = '/'.repeat(16_000);
    const api = await request(t.http).get(`/api${slashes}x`);
    expect(api.status).toBe(404);
    expect(api.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    await request(t.http).get(`${slashes}x`).expect(404);
  });

  // Raw JSON text, so each body is exactly what a hostile client sends: `\ud800` is valid JSON.
  const postJson = (path: string, json: string) =>
    request(t.http).post(path).set('Content-Type', 'application/json').send(json);

  it.each(['session', 'token'])(
    'answers a %s login with a lone surrogate in the email or password with 400',
    async (mode) => {
      for (const json of [
        '{"email":"\\ud800","password":"correct horse battery"}',
        '{"email":"ada\\udc00@example.com","password":"correct horse battery"}',
        '{"email":"ada@example.com","password":"\\ud800"}',
      ]) {
        const res = await postJson(`/api/auth/${mode}/login`, json);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({
          statusCode: 400,
          error: 'Bad Request',
          message: ['strings must be well-formed Unicode (no lone surrogates)'],
        });
      }
    },
  );

  it.each(['gzip', 'deflate', 'br'])('answers a %s body that does not decompress with 400', async (encoding) => {
    const res = await request(t.http)
      .post('/api/auth/register')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', encoding)
      .send('x');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, message: 'Request body could not be read' });
  });

  it('refuses a lone surrogate in a key', async () => {
    const res = await postJson(
      '/api/auth/register',
      '{"email":"ada@example.com","password":"correct horse battery","\\ud800":1}',
    );
    expect(res.status).toBe(400);
    expect(res.body.message).toEqual(['strings must be well-formed Unicode (no lone surrogates)']);
  });

  it.each([3_000, 20_000])(
    'answers a register body with a %i-deep array (and a 3 000-deep object) with 400',
    async (depth) => {
      const array = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      const object = `${'{"a":'.repeat(3_000)}1${'}'.repeat(3_000)}`;
      for (const nested of [array, object]) {
        const res = await postJson(
          '/api/auth/register',
          `{"email":${nested},"password":"correct horse battery","name":"Ada"}`,
        );
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({
          statusCode: 400,
          message: ['arrays and objects must not nest deeper than 32 levels'],
        });
      }
    },
  );

  it('accepts nesting up to the bound, where validation answers', async () => {
    const res = await postJson(
      '/api/auth/register',
      `{"email":${'['.repeat(31)}${']'.repeat(31)},"password":"correct horse battery"}`,
    );
    expect(res.status).toBe(400);
    expect(res.body.message).not.toEqual(['arrays and objects must not nest deeper than 32 levels']);
  });
});
