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
});
