// Starts the built service (`node dist/main.js`) as its own process on a free port and a
// temporary DATA_DIR (embedded database), for scripts/smoke.mjs and scripts/openapi.mjs.
// The process runs in a temporary working directory, so a developer's `.env` in the checkout
// never changes what these scripts see.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..');

/** A port nobody listens on right now, chosen by the operating system. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

const running = new Set();
// Last resort when the calling script dies without stopping what it started: never leave a
// server behind. (`exit` handlers run synchronously: a kill is all they can do.)
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    for (const child of running) child.kill('SIGKILL');
    process.exit(128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[signal] ?? 0));
  });
}

/**
 * Starts `<appDir>/dist/main.js` (default: this checkout) and resolves once `/api/health`
 * answers 200. `env` is added to a minimal environment: no DATABASE_URL or REDIS_URL unless given.
 */
export async function startBuiltService({ appDir = root, env = {}, healthTimeoutMs = 300_000 } = {}) {
  const port = await freePort();
  const workDir = mkdtempSync(join(tmpdir(), 'nda-built-'));
  const output = [];
  const child = spawn(process.execPath, [join(appDir, 'dist', 'main.js')], {
    cwd: workDir,
    env: { PATH: process.env.PATH, PORT: String(port), DATA_DIR: join(workDir, 'data'), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.stdout.on('data', (chunk) => output.push(chunk));
  child.stderr.on('data', (chunk) => output.push(chunk));
  const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
  let exit;
  exited.then((result) => {
    exit = result;
    running.delete(child);
  });

  const service = {
    base: `http://127.0.0.1:${port}`,
    port,
    /** What the process printed so far, for a failure report. */
    output: () => Buffer.concat(output).toString('utf8'),
    /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. Idempotent. */
    async stop(graceMs = 15_000) {
      if (!exit) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      rmSync(workDir, { recursive: true, force: true });
      return exit;
    },
  };

  const deadline = Date.now() + healthTimeoutMs;
  try {
    for (;;) {
      if (exit) throw new Error(`dist/main.js exited during start (code ${exit.code}, signal ${exit.signal})`);
      if (Date.now() > deadline) throw new Error(`/api/health did not answer 200 within ${healthTimeoutMs / 1000} s`);
      try {
        if ((await fetch(`${service.base}/api/health`, { signal: AbortSignal.timeout(2_000) })).ok) return service;
      } catch {
        // not listening yet
      }
      await new Promise((wake) => setTimeout(wake, 200));
    }
  } catch (error) {
    await service.stop(2_000);
    error.output = service.output();
    throw error;
  }
}
