import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createLogger } from '../src/common/logging/logger.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('platform: health, Swagger, headers, errors', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('GET /api/health is 200 with the database up', async () => {
    const res = await request(t.http).get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', details: { database: { status: 'up' } } });
  });

  it('serves Swagger UI at /docs under the helmet CSP', async () => {
    const res = await request(t.http).get('/docs/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('swagger-ui');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });

  it('serves a valid OpenAPI 3 document at /docs-json with the three security schemes', async () => {
    const res = await request(t.http).get('/docs-json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(res.body.components.securitySchemes).toEqual({
      session: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'sid' }),
      jwt: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
      csrf: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-CSRF-Token' }),
    });
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/auth/register', '/api/health']));
  });

  it('sets helmet headers and a request id on every response', async () => {
    const res = await request(t.http).get('/api/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps a sane incoming X-Request-Id and replaces a hostile one', async () => {
    const kept = await request(t.http).get('/api/health').set('X-Request-Id', 'abc-123');
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await request(t.http).get('/api/health').set('X-Request-Id', '<script>');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown route with a JSON 404 in the standard shape', async () => {
    const res = await request(t.http).get('/api/nope');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });
});

describe('access log and API response headers', () => {
  let t: TestApp;
  const lines: string[] = [];
  beforeAll(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    t = await createTestApp({ logger: createLogger('info', false, stream) });
  });
  afterAll(async () => {
    await t.close();
  });

  type AccessLine = { msg: string; reqId?: string; req?: { url: string } };
  /** The access line of one request id; it is written when the response closes, just after the client has it. */
  async function accessLine(requestId: string): Promise<AccessLine | undefined> {
    for (let i = 0; i < 50; i++) {
      const found = lines.map((line) => JSON.parse(line) as AccessLine).find((line) => line.reqId === requestId);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return undefined;
  }

  it('answers an API request with no ETag and no-store', async () => {
    const res = await request(t.http).get('/api/examples/public');
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('writes one access line per request under the id it answered with', async () => {
    const res = await request(t.http).get('/api/examples/public?x=1').set('Authorization', 'Bearer abc.def.ghi');
    const requestId = res.headers['x-request-id'] as string;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await accessLine(requestId)).toMatchObject({
      msg: 'request completed',
      req: { id: requestId, method: 'GET', url: '/api/examples/public?x=1' },
      res: { statusCode: 200 },
    });
    expect(lines.filter((line) => line.includes(requestId))).toHaveLength(1);
    expect(lines.join('')).not.toContain('abc.def.ghi');
  });

  it('logs a kept incoming request id, and the 4xx it ended in', async () => {
    const res = await request(t.http).get('/api/nope').set('X-Request-Id', 'edge-42');
    expect(res.headers['x-request-id']).toBe('edge-42');
    expect(await accessLine('edge-42')).toMatchObject({
      level: 40,
      req: { url: '/api/nope' },
      res: { statusCode: 404 },
    });
  });
});

describe('GET /api/health with an unreachable Redis', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('is 503 and names the failing dependency', async () => {
    const res = await request(t.http).get('/api/health');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({
      status: 'error',
      details: { database: { status: 'up' }, redis: { status: 'down' } },
    });
  });

  it('says up or down only, never the driver error, host or port', async () => {
    const res = await request(t.http).get('/api/health');
    expect(res.body).toEqual({
      status: 'error',
      info: { database: { status: 'up' } },
      error: { redis: { status: 'down' } },
      details: { database: { status: 'up' }, redis: { status: 'down' } },
    });
    expect(res.text).not.toMatch(/ECONN|127\.0\.0\.1|:1\b|connection|message/i);
  });

  it('answers 503, not 500, where a request needs Redis (login counts attempts there); public routes still answer', async () => {
    const login = await request(t.http)
      .post('/api/auth/token/login')
      .send({ email: 'ada@example.com', password: 'correct horse' });
    expect(login.status).toBe(503);
    expect(login.text).not.toMatch(/ECONN|127\.0\.0\.1|writeable|offline/i);
    await request(t.http).get('/api/examples/public').expect(200);
  });
});
