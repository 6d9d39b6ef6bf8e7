// Smoke test of the shipped build: starts `node dist/main.js` (built by `npm run smoke` just
// before) on the embedded database in a temporary DATA_DIR and a free port, and walks one user
// through both kinds of login over HTTP, printing each step. Exits non-zero on the first failure;
// the server is stopped in every case. (A fresh embedded database migrates at start: seconds on
// a quiet machine, minutes on a crowded one; the start may take up to 5 minutes.)
// Usage: npm run smoke [-- --omit-dev]
//   --omit-dev  runs the build against a production install (`npm ci --omit=dev` in a temporary
//               folder), so a package the service imports but lists only under devDependencies
//               fails here rather than in production.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, startBuiltService } from './built-service.mjs';

const omitDev = process.argv.includes('--omit-dev');
const unknown = process.argv.slice(2).filter((arg) => arg !== '--omit-dev');
if (unknown.length) {
  console.error(`smoke: unknown argument ${unknown.join(' ')}; usage: npm run smoke [-- --omit-dev]`);
  process.exit(2);
}
if (!existsSync(join(root, 'dist', 'main.js'))) {
  console.error('smoke: dist/main.js is missing; `npm run smoke` builds it first');
  process.exit(1);
}

let step = 0;
function ok(message) {
  console.log(`  ok ${++step}  ${message}`);
}

/** One HTTP exchange; fails unless the status is the expected one. */
async function call(base, method, path, { body, headers = {}, expect: expected }) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (response.status !== expected)
    throw new Error(`${method} ${path}: ${response.status}, expected ${expected}: ${text.slice(0, 300)}`);
  return { response, json: text ? JSON.parse(text) : undefined };
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function walk(base) {
  const email = `smoke-${Date.now()}@example.com`;
  const credentials = { email, password: 'smoke test password' };

  const registered = await call(base, 'POST', '/api/auth/register', {
    body: { ...credentials, name: 'Smoke' },
    expect: 201,
  });
  check(registered.json.email === email && !('passwordHash' in registered.json), 'register: unexpected user body');
  ok(`register ${email}`);

  const session = await call(base, 'POST', '/api/auth/session/login', { body: credentials, expect: 200 });
  const setCookie = session.response.headers.getSetCookie().find((cookie) => /^(__Host-)?sid=/.test(cookie));
  check(setCookie && /HttpOnly/i.test(setCookie), 'session login: no HttpOnly session cookie');
  check(typeof session.json.csrfToken === 'string', 'session login: no csrfToken');
  const cookie = { cookie: setCookie.split(';')[0] };
  const csrf = { ...cookie, 'x-csrf-token': session.json.csrfToken };
  ok('session login: cookie and CSRF token');

  await call(base, 'POST', '/api/notes', {
    body: { title: 'smoke', body: 'from the cookie' },
    headers: cookie,
    expect: 403,
  });
  const note = await call(base, 'POST', '/api/notes', {
    body: { title: 'smoke', body: 'from the cookie' },
    headers: csrf,
    expect: 201,
  });
  const listed = await call(base, 'GET', '/api/notes', { headers: cookie, expect: 200 });
  check(JSON.stringify(listed.json).includes(note.json.id), 'notes: the new note is not listed');
  ok(`note ${note.json.id} created with the cookie (403 without the CSRF header)`);

  const tokens = await call(base, 'POST', '/api/auth/token/login', { body: credentials, expect: 200 });
  check(
    tokens.json.tokenType === 'Bearer' && tokens.json.accessToken.split('.').length === 3,
    'token login: no access token',
  );
  await call(base, 'GET', '/api/examples/jwt-only', {
    headers: { authorization: `Bearer ${tokens.json.accessToken}` },
    expect: 200,
  });
  ok('token login: the access token opens a jwt-only route');

  const refreshed = await call(base, 'POST', '/api/auth/token/refresh', {
    body: { refreshToken: tokens.json.refreshToken },
    expect: 200,
  });
  check(refreshed.json.refreshToken !== tokens.json.refreshToken, 'refresh: the refresh token did not rotate');
  const bearer = { authorization: `Bearer ${refreshed.json.accessToken}` };
  ok('refresh: a new pair, the refresh token rotated');

  const devices = await call(base, 'GET', '/api/auth/sessions', { headers: bearer, expect: 200 });
  const kinds = devices.json.map((device) => device.kind).sort();
  check(
    devices.json.length === 2 && devices.json.filter((device) => device.current).length === 1,
    `devices: ${JSON.stringify(devices.json)}`,
  );
  ok(`devices list: ${kinds.join(' and ')} login`);

  await call(base, 'POST', '/api/auth/session/logout', { headers: csrf, expect: 204 });
  await call(base, 'GET', '/api/users/me', { headers: cookie, expect: 401 });
  await call(base, 'POST', '/api/auth/token/logout', {
    body: { refreshToken: refreshed.json.refreshToken },
    expect: 204,
  });
  await call(base, 'GET', '/api/users/me', { headers: bearer, expect: 401 });
  ok('logout of both: the cookie and the access token now get 401');
}

const started = Date.now();
let appDir = root;
let installDir;
let service;
try {
  if (omitDev) {
    installDir = mkdtempSync(join(tmpdir(), 'nda-smoke-install-'));
    for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(root, file), join(installDir, file));
    execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: installDir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    cpSync(join(root, 'dist'), join(installDir, 'dist'), { recursive: true });
    appDir = installDir;
    ok('production install (npm ci --omit=dev) with the build');
  }
  service = await startBuiltService({ appDir });
  ok(`dist/main.js healthy on ${service.base} (embedded database)`);
  await walk(service.base);
  const { code, signal } = await service.stop();
  // Nest's shutdown hooks close the app, then raise the signal again: ending by SIGTERM (not by
  // the SIGKILL sent after the grace period, nor by an error code) is a clean stop.
  check(signal === 'SIGTERM' || code === 0, `stop: the server ended with code ${code}, signal ${signal}`);
  ok('SIGTERM: the server shut down within the grace period');
  console.log(`smoke: passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  console.error(`smoke: FAILED after step ${step}: ${error.message}`);
  const output = error.output ?? service?.output();
  if (output) console.error(`--- server output ---\n${output.trimEnd()}\n---`);
  process.exitCode = 1;
} finally {
  await service?.stop(2_000);
  if (installDir) rmSync(installDir, { recursive: true, force: true });
}
