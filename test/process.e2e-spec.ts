import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { es256Pair } from './support/keys.js';
import { runUntilExit, startServer } from './support/server-process.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/** Whether the server still listens (a fresh TCP connection, not a pooled keep-alive one). */
function acceptsConnections(url: URL): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** One raw HTTP request on a fresh connection: its status line, or the socket error if it got none. */
function rawRequest(url: URL, head: string, body: string): { sent: Promise<void>; outcome: Promise<string> } {
  const socket: Socket = connect(Number(url.port), url.hostname);

  const outcome = new Promise<string>((resolve) => {
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    socket.on('close', () => resolve(received.split('\r\n')[0] || 'closed without an answer'));
  });
  // Written once connected: the request is in the server's socket buffer when this resolves.
  const sent = new Promise<void>((resolve) =>
    socket.write(`${head}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`, () =>
      resolve(),
    ),
  );
  return { sent, outcome };
}

/** Rows of a query on the database a stopped service used: PostgreSQL, or its embedded folder. */
async function queryStopped(db: TestDatabase, sql: string, params: unknown[]): Promise<Array<Record<string, unknown>>> {
  if (db.url) {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows;
    } finally {
      await client.end();
    }
  }
  const pglite = await PGlite.create(join(db.dataDir, 'pgdata'));
  try {
    return (await pglite.query<Record<string, unknown>>(sql, params)).rows;
  } finally {
    await pglite.close();
  }
}

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
    const result = await runUntilExit({
      DATA_DIR: dataDir,
      JWT_PRIVATE_KEY: es256Pair().privateKey,
      JWT_PUBLIC_KEY: es256Pair().publicKey,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toBe('Invalid configuration: JWT_PUBLIC_KEY is not the public key of JWT_PRIVATE_KEY');
  });

  it('on SIGTERM finishes the requests in flight before it exits', async () => {
    const server = await startServer({});
    const url = new URL(server.url);
    const body = JSON.stringify({ email: 'drain@example.com', password: 'correct horse' });
    // "Expect: 100-continue": the server answers "100 Continue" once it has read the headers, so
    // the request is known to be in progress (and unanswered) when the signal is sent.
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      path: '/api/auth/register',
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        expect: '100-continue',
      },
    });
    const status = new Promise<number | undefined>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
    });
    await new Promise<void>((resolve) => req.on('continue', resolve));
    const stopped = server.stop();
    // Shutdown has begun once new connections are refused; only then does the body arrive.
    const deadline = Date.now() + 20_000;
    while (await acceptsConnections(url)) {
      if (Date.now() > deadline) throw new Error('the server kept accepting connections after SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    req.end(body);
    expect(await status).toBe(201);
    const result = await stopped;
    expect(result.signal ?? result.code).toBe('SIGTERM');
  }, 120_000);

  it('on SIGTERM answers every connection it had accepted, even those it had not yet read', async () => {
    const server = await startServer({ THROTTLE_AUTH_LIMIT: '0', LOGIN_MAX_FAILURES: '100' });
    const url = new URL(server.url);
    const credentials = JSON.stringify({ email: 'queued@example.com', password: 'correct horse' });
    const post = (path: string) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: credentials,
      });
    expect((await post('/api/auth/register')).status).toBe(201);
    // Stopped, the process reads nothing, but the kernel completes the connections and queues
    // them with their requests: when it resumes, the signal and the waiting logins come together.
    server.child.kill('SIGSTOP');
    const logins = Array.from({ length: 20 }, () =>
      rawRequest(
        url,
        `POST /api/auth/token/login HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json`,
        credentials,
      ),
    );
    await Promise.all(logins.map((login) => login.sent));
    const stopped = server.stop();
    server.child.kill('SIGCONT');
    const outcomes = await Promise.all(logins.map((login) => login.outcome));
    expect(outcomes).toEqual(Array(20).fill('HTTP/1.1 200 OK'));
    const result = await stopped;
    expect(result.signal ?? result.code).toBe('SIGTERM');
  }, 120_000);

  it('on SIGTERM during logins, writes their audit events before the database closes', async () => {
    const db = await createTestDatabase({ persistent: true });
    const dir = db.dataDir;
    try {
      // Parallel logins of one account count as attempts against its lockout allowance.
      const server = await startServer({
        DATA_DIR: dir,
        THROTTLE_AUTH_LIMIT: '0',
        LOGIN_MAX_FAILURES: '100',
        ...(db.url ? { DATABASE_URL: db.url } : {}),
      });
      const credentials = { email: 'last-words@example.com', password: 'correct horse' };
      const post = (path: string) =>
        fetch(`${server.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(credentials),
        });
      const registered = await post('/api/auth/register');
      expect(registered.status).toBe(201);
      const userId = ((await registered.json()) as { id: string }).id;
      // Logins still in flight when the signal arrives record their events after the last
      // periodic flush: only the flush before the database closes can write them.
      const logins = Array.from({ length: 8 }, () => post('/api/auth/token/login').then((res) => res.status));
      await Promise.race(logins);
      const stopping = server.stop();
      // A login the server had not yet received when the signal came (a slow machine) finds the
      // connection closed; every login it had received is answered, and its event written.
      const settled = await Promise.allSettled(logins);
      const answered = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      expect(answered).toEqual(Array(answered.length).fill(200));
      expect(answered.length).toBeGreaterThan(0);
      const stopped = await stopping;

      expect(stopped.signal ?? stopped.code).toBe('SIGTERM');
      expect(`${stopped.stdout}${stopped.stderr}`).not.toMatch(/Driver not Connected|Audit write failed/);
      const rows = await queryStopped(db, `SELECT type FROM auth_events WHERE user_id = $1`, [userId]);
      expect(rows.map((row) => row.type)).toEqual(Array(answered.length).fill('login.succeeded'));
    } finally {
      await db.dispose();
    }
  }, 120_000);

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
  }, 180_000);
});
