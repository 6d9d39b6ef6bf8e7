import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createUser, loginAs, type Client } from './support/kit.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * Schema-driven fuzzing: every operation in the app's own OpenAPI document gets a few hundred
 * generated bad requests — wrong types, missing and unknown fields, huge and hostile values,
 * invalid ids, odd headers, bad tokens and cookies — unauthenticated and in each mode the
 * operation accepts. No answer may be a 5xx, leak a stack trace or SQL, or break the error shape.
 * Seeded: FUZZ_SEED=<n> reproduces a run; FUZZ_REQUESTS=<n> sets the count per operation.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const PER_OPERATION = Number(process.env.FUZZ_REQUESTS ?? 150);

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = mulberry32(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const chance = (p: number) => random() < p;

const HOSTILE_STRINGS = [
  '',
  ' ',
  "' OR '1'='1' --",
  '"; DROP TABLE users; --',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '%00',
  '\u202e\u0000'.slice(0, 1),
  '😀'.repeat(50),
  'ｅｍａｉｌ＠ｅｘａｍｐｌｅ．ｃｏｍ',
  'a'.repeat(300),
  'x'.repeat(20_000),
  'ada@example.com',
  'user@',
  '@example.com',
  'null',
  'undefined',
  '-1',
  '1e309',
  '1000000000000000000',
  '-200000-01-01T00:00:00Z',
  '__proto__',
  'constructor',
  '\ud800',
  'ada\udfff@example.com',
];
const FIELDS = [
  'email',
  'password',
  'name',
  'title',
  'body',
  'roles',
  'refreshToken',
  'currentPassword',
  'newPassword',
  'token',
  'code',
  'challengeId',
  '__proto__',
  'constructor',
  'id',
  'isAdmin',
  '\udc00',
];
/** Nesting far past anything the API accepts, as raw JSON text (recursive code overflows its stack on it). */
const DEEP = [
  ...[3_000, 20_000].map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  `${'{"a":'.repeat(3_000)}1${'}'.repeat(3_000)}`,
];

function value(depth = 0): unknown {
  switch (Math.floor(random() * 10)) {
    case 0:
      return Math.floor(random() * 2 ** 40) * (chance(0.5) ? -1 : 1);
    case 1:
      return pick([true, false, null, 0, 1.5, -0, Number.MAX_SAFE_INTEGER]);
    case 2:
      return depth < 3 ? Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1)) : [];
    case 3:
      return depth < 3 ? body(depth + 1) : {};
    case 4:
      return pick(['user', 'admin', 'root']);
    default:
      return pick(HOSTILE_STRINGS);
  }
}

function body(depth = 0): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 5); i > 0; i--) result[pick(FIELDS)] = value(depth);
  return result;
}

const PATH_VALUES = [
  '1',
  'not-a-uuid',
  "' OR 1=1--",
  '..%2F..%2Fetc',
  '%00',
  'x'.repeat(500),
  '00000000-0000-0000-0000-000000000000',
  crypto.randomUUID(),
  '😀',
  '3f0c6a52-8d1e-4a7b-9a43-6f0f3f7d9b1Z',
];
const QUERY_KEYS = ['page', 'limit', 'userId', 'type', 'from', 'to', 'sort', 'page[]', '__proto__'];

function query(): string {
  const params: string[] = [];
  for (let i = Math.floor(random() * 4); i > 0; i--) {
    const v = String(
      pick([
        ...HOSTILE_STRINGS.slice(0, 12),
        '0',
        '101',
        '2',
        'abc',
        '1.5',
        '2026-13-45',
        'login.failed',
        '1000000000000000000',
        '+275760-09-13T00:00:00Z',
        '-200000-01-01',
      ]),
    ).slice(0, 300);
    params.push(`${encodeURIComponent(pick(QUERY_KEYS))}=${encodeURIComponent(v)}`);
  }
  return params.length ? `?${params.join('&')}` : '';
}

interface Operation {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: string;
  modes: Array<'session' | 'jwt'>;
}

function operations(document: {
  paths: Record<string, Record<string, { security?: Array<Record<string, unknown>> }>>;
}): Operation[] {
  const found: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const schemes = (operation.security ?? []).flatMap((requirement) => Object.keys(requirement));
      const modes = [...new Set(schemes.filter((s) => s === 'session' || s === 'jwt'))] as Array<'session' | 'jwt'>;
      found.push({ method: method as Operation['method'], path, modes });
    }
  }
  return found;
}

const STACK_TRACE = /\bat [\w.<>]+ \(.*:\d+:\d+\)|\n\s+at /;
const SQL =
  /\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b|syntax error at|relation "|violates (unique|foreign key|check) constraint|QueryFailedError/i;

describe(`fuzz: every OpenAPI operation (seed ${SEED}, ${PER_OPERATION} requests per operation and mode)`, () => {
  let t: TestApp;
  let ops: Operation[];
  let sent = 0;
  let failed = 0;
  beforeAll(async () => {
    t = await createTestApp();
    ops = operations((await request(t.http).get('/docs-json').expect(200)).body);
  });
  afterAll(async () => {
    process.stdout.write(`fuzz: seed ${SEED}, ${sent} requests over ${ops.length} operations, ${failed} failures\n`);
    await t.close();
  });

  it('covers every operation of the document', () => {
    expect(ops.length).toBeGreaterThan(25);
    expect(ops.map((op) => `${op.method.toUpperCase()} ${op.path}`)).toEqual(
      expect.arrayContaining([
        'POST /api/notes',
        'POST /api/auth/token/refresh',
        'GET /.well-known/jwks.json',
        'POST /api/auth/password/forgot',
        'POST /api/auth/password/reset',
        'POST /api/auth/email/verify',
        'POST /api/auth/email/resend',
        'POST /api/users/me/mfa/totp',
        'POST /api/users/me/mfa/totp/confirm',
        'DELETE /api/users/me/mfa',
        'POST /api/auth/mfa/verify',
        'POST /api/auth/reauthenticate',
      ]),
    );
  });

  it('no generated request gets a 5xx, a stack trace, SQL text or a malformed error', async () => {
    const failures: string[] = [];
    for (const op of ops) {
      // Fresh logins per operation: some operations (logout, revoke all) end the caller's login.
      const clients: Array<Client | null> = [null];
      for (const mode of op.modes)
        clients.push(await loginAs(t, await createUser(t, { roles: ['user', 'admin'] }), mode));
      for (const client of clients) {
        for (let i = 0; i < PER_OPERATION; i++) {
          const path =
            op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(pick(PATH_VALUES)).replace(/%25/g, '%')) + query();
          let req = (client ? client.agent : request(t.http))[op.method](path);
          if (chance(0.15))
            req = req.set(
              'Authorization',
              pick([
                'Bearer x',
                'Bearer ' + 'a'.repeat(5000),
                'Basic YTpi',
                'Bearer eyJhbGciOiJub25lIn0.e30.',
                'Bearer a.b.c',
              ]),
            );
          if (chance(0.15))
            req = req.set(
              'Cookie',
              pick(['sid=x', 'sid=s%3Axxx.yyy', 'sid=' + 'a'.repeat(4000), 'sid=%00', 'other=1']),
            );
          if (chance(0.1)) req = req.set('X-CSRF-Token', pick(['x', '', 'a'.repeat(2000)]));
          if ((op.method !== 'get' && op.method !== 'delete') || chance(0.3)) {
            const kind = Math.floor(random() * 6);
            if (kind === 0) req = req.set('Content-Type', 'application/json').send('{"email": "x');
            else if (kind === 1)
              req = req
                .set('Content-Type', pick(['text/plain', 'application/xml', 'application/x-www-form-urlencoded']))
                .send('email=a&password=b');
            else if (kind === 2)
              req = req
                .set('Content-Type', 'application/json')
                .send(JSON.stringify(pick([[], [1, 2], 'string', 42, null])));
            else if (kind === 3)
              req = req.set('Content-Type', 'application/json').send(`{"${pick(FIELDS.slice(0, 9))}":${pick(DEEP)}}`);
            else req = req.send(body());
          }
          const res = await req;
          sent++;
          const text = res.text ?? '';
          const where = `${op.method.toUpperCase()} ${path.slice(0, 120)} (${client?.mode ?? 'anonymous'}) → ${res.status}`;
          if (res.status >= 500) failures.push(`${where}: ${text.slice(0, 200)}`);
          else if (STACK_TRACE.test(text)) failures.push(`${where}: stack trace`);
          else if (res.status >= 400) {
            if (SQL.test(text)) failures.push(`${where}: SQL text ${text.slice(0, 200)}`);
            const b = res.body as { statusCode?: unknown; message?: unknown; error?: unknown };
            const shaped =
              b &&
              b.statusCode === res.status &&
              typeof b.error === 'string' &&
              (typeof b.message === 'string' || Array.isArray(b.message));
            if (!shaped) failures.push(`${where}: error shape ${text.slice(0, 200)}`);
          }
        }
      }
    }
    failed = failures.length;
    expect(failures.slice(0, 20)).toEqual([]);
  }, 600_000);
});
