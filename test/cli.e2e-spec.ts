import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import request from 'supertest';
import { sha256Hex } from '../src/common/hash.js';
import { loginAs, uniqueEmail, type TestUser } from './support/kit.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const root = join(import.meta.dirname, '..');
const SESSION_SECRET = 'test-session-secret-test-session-secret';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The operator CLI (`src/cli.ts`) in its own process, on the test database: PostgreSQL when
 * DATABASE_URL is set, otherwise a persistent embedded DATA_DIR that no app holds meanwhile.
 */
describe('operator CLI', () => {
  let db: TestDatabase;
  /** Keys and secrets of the CLI and the apps, outside the repository on PostgreSQL too. */
  let dataDir: string;
  let app: TestApp | undefined;
  const embedded = !process.env.DATABASE_URL;

  const cli = (args: string[], input?: string): Promise<CliResult> =>
    new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', '@swc-node/register/esm-register', join(root, 'src', 'cli.ts'), ...args],
        {
          cwd: root,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '',
            NODE_ENV: 'test',
            LOG_LEVEL: 'warn',
            SESSION_SECRET,
            DATA_DIR: dataDir,
            DATABASE_URL: db.url ?? '',
            REDIS_URL: process.env.REDIS_URL ?? '',
          },
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      child.stdin.end(input ?? '');
    });

  /** The running app; on the embedded database it is started for the occasion. */
  const running = async (): Promise<TestApp> => {
    app ??= await createTestApp({ db, env: { DATA_DIR: dataDir } });
    return app;
  };
  /** The embedded database serves one process: the app lets go of it while the CLI runs. */
  const releaseForCli = async () => {
    if (!embedded) return;
    await app?.close();
    app = undefined;
  };
  const lines = (text: string) => text.trimEnd().split('\n');

  beforeAll(async () => {
    db = await createTestDatabase({ persistent: true });
    dataDir = db.dataDir ?? mkdtempSync(join(tmpdir(), 'nda-cli-'));
  });
  afterAll(async () => {
    await app?.close();
    await db.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('create-user takes the password from standard input, or prints a generated one once; both log in', async () => {
    await releaseForCli();
    const carol: TestUser = {
      id: '',
      email: uniqueEmail('carol'),
      password: 'carol password 1',
      name: null,
      roles: [],
    };
    const given = await cli(
      ['create-user', '--email', ` ${carol.email.toUpperCase()} `, '--name', 'Carol', '--password-stdin'],
      `${carol.password}\nignored\n`,
    );
    expect(given).toMatchObject({ code: 0, stderr: '' });
    expect(lines(given.stdout)).toEqual([
      expect.stringMatching(new RegExp(`^Created user ${carol.email} \\([0-9a-f-]{36}\\)$`)),
    ]);

    const dave = uniqueEmail('dave');
    const generated = await cli(['create-user', '--email', dave, '--admin']);
    expect(generated.code).toBe(0);
    expect(lines(generated.stdout)).toHaveLength(1);
    const password = /with password: (\S+)$/.exec(generated.stdout.trim())?.[1];
    expect(password).toMatch(/^[\w-]{24}$/);

    const t = await running();
    const me = await (await loginAs(t, carol, 'jwt')).get('/api/users/me').expect(200);
    expect(me.body).toMatchObject({ email: carol.email, name: 'Carol', roles: ['user'] });
    const admin = await (
      await loginAs(t, { ...carol, email: dave, password: password! }, 'session')
    )
      .get('/api/users/me')
      .expect(200);
    expect(admin.body.roles).toEqual(['user', 'admin']);
  }, 120_000);

  it('create-user refuses an existing email and bad input like registration, in one line', async () => {
    const t = await running();
    const email = uniqueEmail('taken');
    await request(t.http).post('/api/auth/register').send({ email, password: 'registered password' }).expect(201);
    await releaseForCli();

    const taken = await cli(['create-user', '--email', email.toUpperCase()]);
    expect(taken).toMatchObject({ code: 1, stdout: '' });
    expect(lines(taken.stderr)).toEqual([`An account with email ${email} already exists`]);

    const short = await cli(['create-user', '--email', uniqueEmail(), '--password-stdin'], 'short\n');
    expect(short).toMatchObject({ code: 1, stdout: '' });
    expect(lines(short.stderr)).toEqual(['Invalid input: password must be 8 to 128 characters']);
  }, 120_000);

  it('promote and demote change the admin role, audited, and say when nothing was to change', async () => {
    const t = await running();
    const erin: TestUser = { id: '', email: uniqueEmail('erin'), password: 'erin password 1', name: null, roles: [] };
    await request(t.http).post('/api/auth/register').send({ email: erin.email, password: erin.password }).expect(201);
    await releaseForCli();

    expect(await cli(['promote', erin.email])).toMatchObject({
      code: 0,
      stdout: `${erin.email} is now an administrator\n`,
      stderr: '',
    });
    expect(await cli(['promote', erin.email.toUpperCase()])).toMatchObject({
      code: 0,
      stdout: `${erin.email} is already an administrator\n`,
    });

    let client = await loginAs(await running(), erin, 'session');
    await client.get('/api/admin/users').expect(200);
    const activity = await client.get('/api/users/me/activity').expect(200);
    expect(activity.body.items).toContainEqual(expect.objectContaining({ type: 'role.changed' }));
    await releaseForCli();

    expect(await cli(['demote', erin.email])).toMatchObject({
      code: 0,
      stdout: `${erin.email} is no longer an administrator\n`,
    });
    expect(await cli(['demote', erin.email])).toMatchObject({
      code: 0,
      stdout: `${erin.email} is not an administrator\n`,
    });
    client = await loginAs(await running(), erin, 'session');
    expect((await client.get('/api/users/me').expect(200)).body.roles).toEqual(['user']);
  }, 120_000);

  it('revoke-logins ends every login of the user, cookie sessions and tokens', async () => {
    const t = await running();
    const frank: TestUser = {
      id: '',
      email: uniqueEmail('frank'),
      password: 'frank password 1',
      name: null,
      roles: [],
    };
    await request(t.http).post('/api/auth/register').send({ email: frank.email, password: frank.password }).expect(201);
    const token = await loginAs(t, frank, 'jwt');
    const cookie = await loginAs(t, frank, 'session');
    await token.get('/api/users/me').expect(200);
    await cookie.get('/api/users/me').expect(200);
    const entry = `nda:sess:${sha256Hex(decodeURIComponent(cookie.cookie!.slice(4)).slice(2).split('.')[0]!)}`;
    const redis = process.env.REDIS_URL ? new Redis(process.env.REDIS_URL) : undefined;
    if (redis) expect(await redis.exists(entry)).toBe(1);
    await releaseForCli();

    const revoked = cli(['revoke-logins', frank.email]);
    if (!embedded) {
      // An instance running meanwhile hears of it through the broadcast (Redis or NOTIFY).
      const result = await revoked;
      const deadline = Date.now() + 1_000;
      let status = 200;
      while (status !== 401 && Date.now() < deadline) {
        status = (await request(t.http).get('/api/users/me').set('Authorization', `Bearer ${token.accessToken}`))
          .status;
        if (status !== 401) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(status).toBe(401);
      expect(result).toMatchObject({ code: 0, stdout: `Ended 2 logins of ${frank.email}\n` });
    } else {
      expect(await revoked).toMatchObject({ code: 0, stdout: `Ended 2 logins of ${frank.email}\n` });
    }
    if (redis) {
      // The CLI dropped the session's entry from Redis before it exited.
      expect(await redis.exists(entry)).toBe(0);
      await redis.quit();
    }

    const after = await running();
    await request(after.http).get('/api/users/me').set('Authorization', `Bearer ${token.accessToken}`).expect(401);
    await request(after.http).get('/api/users/me').set('Cookie', cookie.cookie!).expect(401);
  }, 120_000);

  it('an unknown email is one line and exit code 1', async () => {
    await releaseForCli();
    for (const command of ['promote', 'demote', 'revoke-logins']) {
      const result = await cli([command, 'Nobody@Example.com']);
      expect(result).toMatchObject({ code: 1, stdout: '' });
      expect(lines(result.stderr)).toEqual(['No account with email Nobody@Example.com']);
    }
  }, 120_000);

  it.each([[['--help']], [[]], [['frobnicate', 'x@example.com']], [['promote']], [['create-user', '--password', 'x']]])(
    '%j prints the usage on stderr and exits 2',
    async (args) => {
      const result = await cli(args);
      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toContain('Usage: npm run cli -- <command>');
    },
    60_000,
  );

  // Only the embedded database has a folder lock: on PostgreSQL there is nothing to refuse.
  if (embedded)
    it('refuses in one line while the service holds the embedded database', async () => {
      await running();
      const result = await cli(['promote', 'x@example.com']);
      expect(result).toMatchObject({ code: 1, stdout: '' });
      expect(lines(result.stderr)).toEqual([
        expect.stringMatching(/^The embedded database in .* is already in use by process \d+\./),
      ]);
    }, 60_000);
});
