// Benchmark of the request path: the built app (dist/main.js) in its own process, autocannon
// against one route per protection declaration. Usage: `npm run bench` (builds first).
// Options (environment): BENCH_CONNECTIONS (50), BENCH_DURATION seconds (10), DATABASE_URL and
// REDIS_URL (passed through; unset: the embedded database), LOG_LEVEL (warn: no access log).
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const duration = Number(process.env.BENCH_DURATION ?? 10);
const port = 3900 + Math.floor(Math.random() * 90);
const base = `http://127.0.0.1:${port}`;
const dataDir = mkdtempSync(join(tmpdir(), 'nda-bench-'));

const server = spawn(process.execPath, ['dist/main.js'], {
  env: {
    PATH: process.env.PATH,
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});

async function waitForHealth() {
  // Up to a minute: the embedded database migrates at start, slowly on a busy machine.
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the server did not become healthy');
}

async function post(path, body, headers = {}) {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res;
}

function run(title, path, headers, seconds = duration) {
  return new Promise((resolve, reject) => {
    autocannon({ url: `${base}${path}`, connections, duration: seconds, headers }, (error, result) => {
      if (error) return reject(error);
      resolve({ title, path, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors });
    });
  });
}

try {
  await waitForHealth();
  const credentials = { email: `bench-${Date.now()}@example.com`, password: 'bench password 1' };
  await post('/api/auth/register', credentials);
  const session = await post('/api/auth/session/login', credentials);
  const cookie = session.headers.getSetCookie().find((c) => c.startsWith('sid=')).split(';')[0];
  const { accessToken } = await (await post('/api/auth/token/login', credentials)).json();
  const bearer = { authorization: `Bearer ${accessToken}` };

  const rows = [];
  for (const [title, path, headers] of [
    ['public', '/api/examples/public', {}],
    ['jwt-only (bearer)', '/api/examples/jwt-only', bearer],
    ['session-only (cookie)', '/api/examples/session-only', { cookie }],
    ['either (bearer)', '/api/examples/either', bearer],
  ]) {
    await run(title, path, headers, 2); // warm-up: JIT and pools, not measured
    rows.push(await run(title, path, headers));
  }

  const database = process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite';
  console.log(`\n${connections} connections, ${duration} s per route, ${database}, LOG_LEVEL=${process.env.LOG_LEVEL ?? 'warn'}\n`);
  console.log('| route | req/s | p50 ms | p99 ms | non-2xx | errors |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.title} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} |`);
  const [pub, jwt] = rows;
  console.log(`\njwt-only / public = ${(jwt.rps / pub.rps).toFixed(2)}`);
  if (rows.some((r) => r.non2xx > 0 || r.errors > 0)) process.exitCode = 1;
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.on('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}
