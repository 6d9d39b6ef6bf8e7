import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { es256Pair } from './support/keys.js';
import { runUntilExit, startServer } from './support/server-process.js';

/** The service as a user runs it: `src/main.ts` in its own process, on the embedded database. */
describe('the service process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nda-process-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    ['PORT', 'abc'],
    ['DATABASE_URL', 'nonsense'],
    ['SESSION_IDLE_TTL', 'soon'],
    ['COOKIE_SECURE', 'maybe'],
  ])('refuses to start with %s=%s, in one line naming the variable', async (name, value) => {
    const result = await runUntilExit({ DATA_DIR: dataDir, [name]: value });
    expect(result.code).not.toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Invalid configuration: ${name} `));
  });

  it('refuses a JWT_PUBLIC_KEY that is not the pair of JWT_PRIVATE_KEY, in one line', async () => {
    const result = await runUntilExit({ DATA_DIR: dataDir, JWT_PRIVATE_KEY: es256Pair().privateKey, JWT_PUBLIC_KEY: es256Pair().publicKey });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toBe('Invalid configuration: JWT_PUBLIC_KEY is not the public key of JWT_PRIVATE_KEY');
  });

  it('on SIGTERM finishes the requests in flight before it exits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nda-drain-'));
    try {
      const server = await startServer({ DATA_DIR: dir });
      // Each registration hashes a password (tens of ms): many are still in flight when one is done.
      const requests = Array.from({ length: 12 }, (_, i) =>
        fetch(`${server.url}/api/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: `drain-${i}@example.com`, password: 'correct horse' }),
        }).then((res) => res.status),
      );
      await Promise.race(requests);
      const stopped = server.stop();
      expect(await Promise.all(requests)).toEqual(Array(12).fill(201));
      expect((await stopped).signal ?? (await stopped).code).toBe('SIGTERM');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('keeps data across restarts and refuses a second instance on the same DATA_DIR', async () => {
    const body = JSON.stringify({ email: 'persist@example.com', password: 'correct horse' });
    const register = (url: string) =>
      fetch(`${url}/api/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

    const first = await startServer({ DATA_DIR: dataDir });
    expect((await register(first.url)).status).toBe(201);
    expect((await fetch(`${first.url}/api/health`)).status).toBe(200);

    const second = await runUntilExit({ DATA_DIR: dataDir });
    expect(second.code).not.toBe(0);
    expect(second.stderr.trim()).toMatch(/^The embedded database in .* is already in use by process \d+\./);

    // Nest closes the app on SIGTERM, then re-raises the signal; the lock is released on close.
    const stopped = await first.stop();
    expect(stopped.signal ?? stopped.code).toBe('SIGTERM');
    expect(existsSync(join(dataDir, '.lock'))).toBe(false);

    const again = await startServer({ DATA_DIR: dataDir });
    try {
      expect((await register(again.url)).status).toBe(409);
    } finally {
      await again.stop();
    }
  }, 90_000);
});
