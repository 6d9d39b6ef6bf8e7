// `npm run bench`: the built service (dist/main.js) against a bare NestJS / Express app
// (bench/bare-app.mjs), on the embedded database, PostgreSQL and PostgreSQL + Redis, in
// alternating rounds. Options and what each figure means: README.md, section Benchmark.
import { verify } from '@node-rs/argon2';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { AutocannonRequest } from 'autocannon';
import { Redis } from 'ioredis';
import pg from 'pg';
import { hashPassword } from '../src/users/passwords.js';
import { isPublicAnswer, meAnswer, notesAnswer, sessionLoginAnswer, tokenPairFor, whoAnswer } from './lib/checks.js';
import { runLoad, type LoadSpec } from './lib/load.js';
import {
  renderMarkdown,
  replaceBetweenMarkers,
  routeTable,
  bytesTable,
  summaryLine,
  targetTable,
} from './lib/render.js';
import {
  STORE_LABELS,
  type BenchResult,
  type ByteFigures,
  type RoundResult,
  type RouteResult,
  type SoakResult,
  type StoreId,
  type StoreResult,
} from './lib/result.js';
import { cpuMicros, residentMiB, startServer, type Server } from './lib/servers.js';
import { growth, median, pairedRatio, spread } from './lib/stats.js';
import { evaluateTargets, failedResponses } from './lib/targets.js';
import { TokenMinter } from './lib/tokens.js';

const root = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    soak: { type: 'string' },
    stores: { type: 'string' },
    routes: { type: 'string' },
    'cpu-prof': { type: 'string' },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    out: { type: 'string' },
    readme: { type: 'boolean', default: false },
    'readme-only': { type: 'boolean', default: false },
  },
});

const README = join(root, 'README.md');
const RESULTS = join(root, 'bench', 'results');

if (args['readme-only']) {
  // `npm run bench:readme`: the README's table from the committed result, no measuring.
  writeReadme(JSON.parse(readFileSync(join(RESULTS, 'latest.json'), 'utf8')) as BenchResult);
  process.exit(0);
}

const quick = args.quick;
const soakSeconds = args.soak === undefined ? undefined : positive('--soak', args.soak);
const rounds = args.rounds ? positive('--rounds', args.rounds) : quick ? 1 : 3;
// A quick run's two seconds still see answers on a loaded machine (a second of latency was seen).
const duration = args.duration ? positive('--duration', args.duration) : quick ? 2 : 4;
const warmup = 1;
const CONNECTIONS = 50;
const LOGIN_CONNECTIONS = 10;
const READERS = 5;
/** New tokens minted ahead per second of a jwt-new run: above any rate seen on 2 cores. */
const PREMINTED_PER_SECOND = 15_000;
const LOGIN_USERS = 60;
const NOTES_PER_USER = 3;
const PASSWORD = 'bench password 1';
const allStores: StoreId[] = ['embedded', 'postgres', 'redis'];
const stores = parseStores(args.stores ?? (soakSeconds !== undefined ? 'redis' : 'all'));
const mode: BenchResult['mode'] = soakSeconds !== undefined ? 'soak' : quick ? 'quick' : 'full';
/** --routes: only these (with the references their ratios need); a run for a closer look, not a record. */
const onlyRoutes = args.routes?.split(',').map((r) => r.trim());
/** --cpu-prof DIR: the service (without access log) writes a V8 CPU profile there when it stops. */
const profileDir = args['cpu-prof'] === undefined ? undefined : resolve(args['cpu-prof']);
const REFERENCE_ROUTES: Record<string, string[]> = {
  public: ['bare'],
  'public-logs': ['bare'],
  'token-login': ['argon2'],
  'session-login': ['argon2'],
};

function positive(flag: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) fail(`${flag} needs a whole number of at least 1 (got ${value})`);
  return number;
}

function parseStores(value: string): StoreId[] {
  if (value === 'all') return allStores;
  const list = value.split(',').map((s) => s.trim());
  for (const s of list)
    if (!allStores.includes(s as StoreId)) fail(`--stores takes all or a list of ${allStores.join(', ')} (got ${s})`);
  return list as StoreId[];
}

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

// ---- clean-up: every process, database, Redis DB and folder the run made goes at exit ----

const cleanups: Array<() => Promise<void> | void> = [];
async function cleanUp() {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()!();
    } catch (error) {
      console.error('bench: clean-up step failed:', error);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`bench: ${signal}, cleaning up`);
    void cleanUp().then(() => process.exit(130));
  });
}

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A PostgreSQL database of the run's own, dropped at exit. */
async function createDatabase(store: StoreId): Promise<string> {
  const name = `bench_${process.pid}_${store}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  cleanups.push(async () => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).finally(() => client.end());
  });
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The Redis DB the run may empty: BENCH_REDIS_URL names one (it is flushed before and after),
 * otherwise the first empty DB among 1–15 is claimed with a marker key, as .ci/run does.
 */
async function claimRedis(): Promise<string> {
  let url = process.env.BENCH_REDIS_URL;
  if (!url) {
    const base = process.env.BENCH_REDIS_BASE_URL ?? 'redis://127.0.0.1:6379';
    for (let n = 1; n <= 15 && !url; n++) {
      const probe = new Redis(`${base}/${n}`, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await probe.connect();
      if (
        (await probe.dbsize()) === 0 &&
        (await probe.set('bench:claim', String(process.pid), 'NX')) === 'OK' &&
        (await probe.dbsize()) === 1
      ) {
        url = `${base}/${n}`;
      }
      probe.disconnect();
    }
    if (!url) throw new Error('no empty Redis DB among 1–15; name one with BENCH_REDIS_URL');
  }
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  await redis.flushdb();
  // Still claimed while the run uses it: an empty DB is what other runs look for.
  await redis.set('bench:claim', String(process.pid));
  cleanups.push(async () => {
    await redis.flushdb();
    redis.disconnect();
  });
  return url;
}

// ---- the service under test ----

interface Reader {
  id: string;
  email: string;
  cookie: string;
  token: string;
  noteTitle: string;
}

interface LoginUser {
  id: string;
  email: string;
}

interface Family {
  userId: string;
  refreshToken: string;
}

async function call(
  base: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return res;
}

async function register(base: string, email: string): Promise<string> {
  const user = (await (await call(base, '/api/auth/register', { email, password: PASSWORD })).json()) as { id: string };
  return user.id;
}

async function inBatches<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  return out;
}

function sessionCookie(res: Response): string {
  const cookie = res.headers.getSetCookie().find((c) => /^(__Host-)?sid=/.test(c));
  if (!cookie) throw new Error('session login set no session cookie');
  return cookie.split(';')[0]!;
}

async function tokenLogin(base: string, email: string): Promise<{ accessToken: string; refreshToken: string }> {
  return (await (await call(base, '/api/auth/token/login', { email, password: PASSWORD })).json()) as {
    accessToken: string;
    refreshToken: string;
  };
}

/** Readers (who send the measured reads, each with notes of their own) and users to log in. */
async function seed(base: string, tag: string) {
  const stamp = `${tag}-${Date.now()}`;
  const readers = await inBatches([...Array(READERS).keys()], READERS, async (i): Promise<Reader> => {
    const email = `bench-reader-${i}-${stamp}@example.com`;
    const id = await register(base, email);
    const cookie = sessionCookie(await call(base, '/api/auth/session/login', { email, password: PASSWORD }));
    const { accessToken } = await tokenLogin(base, email);
    const noteTitle = `note of ${id}`;
    for (let n = 0; n < NOTES_PER_USER; n++) {
      await call(base, '/api/notes', { title: noteTitle, body: 'bench' }, { authorization: `Bearer ${accessToken}` });
    }
    return { id, email, cookie, token: accessToken, noteTitle };
  });
  const logins = await inBatches([...Array(LOGIN_USERS).keys()], 6, async (i): Promise<LoginUser> => {
    const email = `bench-login-${i}-${stamp}@example.com`;
    return { id: await register(base, email), email };
  });
  return { readers, logins };
}

/** Round-robin over a list, shared by every connection of a run. */
function rotation<T>(items: T[]): () => T {
  let next = 0;
  return () => items[next++ % items.length]!;
}

/**
 * The measured routes of one store. Every check compares the answer with the user the request
 * was sent for (context.user), so an answer for someone else counts as a failure.
 */
function routeSpecs(
  app: Server,
  logs: Server,
  bare: Server,
  readers: Reader[],
  logins: LoginUser[],
  minter: TokenMinter,
  families: Family[],
) {
  /** One fixed request per reader, built once (see LoadSpec.variants). */
  const perReader = (headers: (user: Reader) => Record<string, string>) =>
    readers.map((user) => ({ headers: headers(user), context: { user } }));
  /** A request rebuilt for every send, for credentials that change each time. */
  const reader = (setHeaders: (user: Reader) => Record<string, string>) => {
    const next = rotation(readers);
    return (request: AutocannonRequest, context: Record<string, unknown>) => {
      const user = next();
      context.user = user;
      return { ...request, headers: { ...request.headers, ...setHeaders(user) } };
    };
  };
  const bearer = (user: Reader) => ({ authorization: `Bearer ${user.token}` });
  const cookie = (user: Reader) => ({ cookie: user.cookie });
  const loginAs = () => {
    const next = rotation(logins);
    return (request: AutocannonRequest, context: Record<string, unknown>) => {
      const user = next();
      context.user = user;
      return { ...request, body: JSON.stringify({ email: user.email, password: PASSWORD }) };
    };
  };
  const publicRoute = (base: string): LoadSpec => ({ base, path: '/api/examples/public', check: isPublicAnswer });
  const who = whoAnswer;
  const me = meAnswer;
  const notes = notesAnswer(NOTES_PER_USER);

  const specs: Array<{ id: string; title: string; connections?: number; spec?: LoadSpec; argon2?: true }> = [
    { id: 'bare', title: 'bare NestJS / Express, one public route', spec: publicRoute(bare.base) },
    { id: 'public', title: '`examples/public`', spec: publicRoute(app.base) },
    { id: 'public-logs', title: '`examples/public`, access log on (LOG_LEVEL=info)', spec: publicRoute(logs.base) },
    {
      id: 'jwt-one',
      title: '`examples/jwt-only`, token reused',
      spec: { base: app.base, path: '/api/examples/jwt-only', variants: perReader(bearer), check: who('jwt') },
    },
    {
      id: 'jwt-new',
      title: '`examples/jwt-only`, new token per request',
      spec: {
        base: app.base,
        path: '/api/examples/jwt-only',
        setup: reader((user) => ({ authorization: `Bearer ${minter.next(user.token)}` })),
        check: who('jwt'),
      },
    },
    {
      id: 'session',
      title: '`examples/session-only`',
      spec: { base: app.base, path: '/api/examples/session-only', variants: perReader(cookie), check: who('session') },
    },
    {
      id: 'either',
      title: '`examples/either`, cookie and bearer sent',
      spec: {
        base: app.base,
        path: '/api/examples/either',
        variants: perReader((user) => ({ ...bearer(user), ...cookie(user) })),
        check: who('jwt'),
      },
    },
    {
      id: 'me-bearer',
      title: '`users/me` by bearer',
      spec: { base: app.base, path: '/api/users/me', variants: perReader(bearer), check: me },
    },
    {
      id: 'me-cookie',
      title: '`users/me` by cookie',
      spec: { base: app.base, path: '/api/users/me', variants: perReader(cookie), check: me },
    },
    {
      id: 'notes-bearer',
      title: '`notes` list by bearer',
      spec: { base: app.base, path: '/api/notes', variants: perReader(bearer), check: notes },
    },
    {
      id: 'notes-cookie',
      title: '`notes` list by cookie',
      spec: { base: app.base, path: '/api/notes', variants: perReader(cookie), check: notes },
    },
    {
      id: 'token-login',
      title: 'token login',
      connections: LOGIN_CONNECTIONS,
      spec: {
        base: app.base,
        method: 'POST',
        path: '/api/auth/token/login',
        body: '{}',
        setup: loginAs(),
        check: (body, context) => {
          const { id } = context.user as LoginUser;
          const pair = tokenPairFor(body, id);
          if (pair) families.push({ userId: id, refreshToken: pair.refreshToken });
          return pair !== undefined;
        },
      },
    },
    {
      id: 'session-login',
      title: 'session login',
      connections: LOGIN_CONNECTIONS,
      spec: {
        base: app.base,
        method: 'POST',
        path: '/api/auth/session/login',
        body: '{}',
        setup: loginAs(),
        check: sessionLoginAnswer,
      },
    },
    {
      id: 'argon2',
      title: 'raw argon2id verify, in-process (same parameters)',
      connections: LOGIN_CONNECTIONS,
      argon2: true,
    },
    {
      id: 'refresh',
      title: 'refresh, chained per token family',
      spec: {
        base: app.base,
        method: 'POST',
        path: '/api/auth/token/refresh',
        body: '{}',
        // Each request takes a family out of the pool and puts it back with its new refresh token
        // when the answer comes: no two requests ever hold one family's token at once. A family
        // in flight when the run stops is dropped (its token may have been used).
        setup: (request, context) => {
          const family = families.pop();
          if (!family) throw new Error('refresh: the pool of token families ran dry');
          context.family = family;
          return { ...request, body: JSON.stringify({ refreshToken: family.refreshToken }) };
        },
        check: (body, context) => {
          const family = context.family as Family;
          const pair = tokenPairFor(body, family.userId);
          if (!pair) return false;
          family.refreshToken = pair.refreshToken;
          families.unshift(family);
          return true;
        },
      },
    },
  ];
  return specs;
}

/** argon2id verifications of one hash made with the service's parameters, `concurrency` at a time. */
async function argon2Rate(hash: string, concurrency: number, seconds: number): Promise<RoundResult> {
  let count = 0;
  const end = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        if (!(await verify(hash, PASSWORD))) throw new Error('argon2 verify refused the right password');
        count++;
      }
    }),
  );
  return {
    rps: count / ((Date.now() - started) / 1000),
    p50: 0,
    p99: 0,
    requests: count,
    non2xx: 0,
    errors: 0,
    mismatches: 0,
  };
}

function appEnv(dataDir: string, extra: Record<string, string>, logLevel = 'warn'): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    LOG_LEVEL: logLevel,
    // Logins are measured back to back from one address: the per-IP limit on /api/auth/* is off.
    THROTTLE_AUTH_LIMIT: '0',
    ...extra,
  };
}

async function serverBytes(
  store: StoreId,
  dataDir: string,
  databaseUrl: string | undefined,
  redisUrl: string | undefined,
): Promise<Partial<ByteFigures>> {
  const sql = {
    session: 'SELECT avg(pg_column_size(s.*))::float AS n FROM http_sessions s',
    refresh: 'SELECT avg(pg_column_size(r.*))::float AS n FROM refresh_tokens r',
    loginSession: "SELECT avg(pg_column_size(l.*))::float AS n FROM logins l WHERE l.kind = 'session'",
    loginToken: "SELECT avg(pg_column_size(l.*))::float AS n FROM logins l WHERE l.kind = 'token'",
  };
  const figures: Record<keyof typeof sql, number | undefined> = {
    session: undefined,
    refresh: undefined,
    loginSession: undefined,
    loginToken: undefined,
  };
  if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      for (const key of Object.keys(sql) as Array<keyof typeof sql>)
        figures[key] = (await client.query<{ n: number | null }>(sql[key])).rows[0]?.n ?? undefined;
    } finally {
      await client.end();
    }
  } else {
    // The service has stopped (the embedded database serves one process): open its files.
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create(join(dataDir, 'pgdata'));
    try {
      for (const key of Object.keys(sql) as Array<keyof typeof sql>)
        figures[key] = (await db.query<{ n: number | null }>(sql[key])).rows[0]?.n ?? undefined;
    } finally {
      await db.close();
    }
  }
  let sessionRecord = figures.session;
  if (store === 'redis' && redisUrl) {
    // A session in Redis: its hash plus the index from its login record, as MEMORY USAGE counts them.
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    try {
      const [, keys] = await redis.scan('0', 'MATCH', 'nda:sess:*', 'COUNT', 1000);
      const [, index] = await redis.scan('0', 'MATCH', 'nda:sess-of:*', 'COUNT', 1000);
      const usage = async (list: string[]) =>
        median(await Promise.all(list.slice(0, 50).map(async (k) => Number(await redis.memory('USAGE', k)))));
      sessionRecord = keys.length > 0 ? (await usage(keys)) + (index.length > 0 ? await usage(index) : 0) : undefined;
    } finally {
      redis.disconnect();
    }
  }
  const sum = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : Math.round(a + b);
  const round = (n: number | undefined) => (n === undefined ? undefined : Math.round(n));
  return {
    sessionRecord: round(sessionRecord),
    refreshRecord: round(figures.refresh),
    loginRecord: round(figures.loginToken ?? figures.loginSession),
    sessionLogin: sum(sessionRecord, figures.loginSession),
    tokenLogin: sum(figures.refresh, figures.loginToken),
  };
}

async function prepareStore(store: StoreId) {
  const extra: Record<string, string> = {};
  if (store !== 'embedded') extra.DATABASE_URL = await createDatabase(store);
  if (store === 'redis') extra.REDIS_URL = await claimRedis();
  const dataDir = tempDir(`nda-bench-${store}-`);
  const logsDir = tempDir(`nda-bench-${store}-logs-`);
  const app = await startServer(
    `service (${store})`,
    join(root, 'dist', 'main.js'),
    appEnv(dataDir, extra),
    '/api/health',
    profileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${store}-${process.pid}.cpuprofile`]
      : [],
  );
  cleanups.push(() => app.stop());
  const logs = await startServer(
    `service with access log (${store})`,
    join(root, 'dist', 'main.js'),
    appEnv(logsDir, extra, 'info'),
    '/api/health',
  );
  cleanups.push(() => logs.stop());
  const { readers, logins } = await seed(app.base, store);
  return { extra, dataDir, app, logs, readers, logins };
}

async function benchStore(store: StoreId, bare: Server, hash: string): Promise<StoreResult> {
  const started = Date.now();
  const { extra, dataDir, app, logs, readers, logins } = await prepareStore(store);
  const families: Family[] = [];
  const minter = new TokenMinter(dataDir);
  const specs = selected(routeSpecs(app, logs, bare, readers, logins, minter, families));
  const topUpFamilies = async (count: number) => {
    const missing = Math.max(0, count - families.length);
    const made = await inBatches([...Array(missing).keys()], 5, async (i) => {
      const user = logins[i % logins.length]!;
      return { userId: user.id, refreshToken: (await tokenLogin(app.base, user.email)).refreshToken };
    });
    families.push(...made);
  };

  const measured: Record<string, RoundResult[]> = Object.fromEntries(specs.map((s) => [s.id, []]));
  const serverPids = new Map([app, logs, bare].map((server) => [server.base, server.pid]));
  const measure = async (entry: (typeof specs)[number], seconds: number): Promise<RoundResult> => {
    const connections = entry.connections ?? CONNECTIONS;
    if (entry.argon2) return argon2Rate(hash, connections, seconds);
    if (entry.id === 'refresh') await topUpFamilies(connections * 3);
    if (entry.id === 'jwt-new') {
      minter.prepare(
        readers.map((r) => r.token),
        Math.ceil((seconds * PREMINTED_PER_SECOND) / readers.length),
      );
      minter.minted = 0;
    }
    const pid = serverPids.get(entry.spec!.base);
    const cpuBefore = pid === undefined ? undefined : cpuMicros(pid);
    const outcome = await runLoad([entry.spec!], { connections, seconds });
    const cpuAfter = pid === undefined ? undefined : cpuMicros(pid);
    // Requests still in flight when the run stops used some of this CPU: a slight overestimate.
    if (cpuBefore !== undefined && cpuAfter !== undefined && outcome.requests > 0)
      outcome.cpuPerRequest = (cpuAfter - cpuBefore) / outcome.requests;
    if (entry.id === 'jwt-new' && minter.minted > 0)
      console.error(`  jwt-new: ${minter.minted} token(s) beyond those minted ahead were signed during the run`);
    if (outcome.firstMismatch) console.error(`  ${entry.id}: answer that failed its check: ${outcome.firstMismatch}`);
    if (outcome.non2xx > 0) console.error(`  ${entry.id}: non-2xx answers ${JSON.stringify(outcome.statuses)}`);
    const { firstMismatch: _, statuses: __, ...round } = outcome;
    return round;
  };

  console.log(
    `\n== ${STORE_LABELS[store]}: ${specs.length} routes, warm-up ${warmup} s each, then ${rounds} round(s) of ${duration} s each`,
  );
  const warmFailures: Record<string, number> = {};
  const warmAnswered: Record<string, boolean> = {};
  for (const entry of specs) {
    const warm = await measure(entry, warmup);
    warmFailures[entry.id] = warm.non2xx + warm.errors + warm.mismatches;
    warmAnswered[entry.id] = warm.requests > 0;
  }
  for (let round = 1; round <= rounds; round++) {
    for (const entry of specs) {
      const result = await measure(entry, duration);
      measured[entry.id]!.push(result);
      const bad = result.non2xx + result.errors + result.mismatches;
      console.log(
        `  round ${round} ${entry.id.padEnd(13)} ${String(Math.round(result.rps)).padStart(6)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms${bad ? `  FAILED ${bad}` : ''}`,
      );
    }
  }

  const rpsOf = (id: string) => measured[id]!.map((r) => r.rps);
  const routes: RouteResult[] = specs.map((entry) => {
    const list = measured[entry.id]!;
    const route: RouteResult = {
      id: entry.id,
      title: entry.title,
      connections: entry.connections ?? CONNECTIONS,
      rounds: list,
      rps: spread(list.map((r) => r.rps)),
      p50: median(list.map((r) => r.p50)),
      p99: median(list.map((r) => r.p99)),
      ...(list.length > 0 && list.every((r) => r.cpuPerRequest !== undefined)
        ? { cpuPerRequest: median(list.map((r) => r.cpuPerRequest!)) }
        : {}),
      // A route that never answered within its warm-up and rounds checked nothing: a failure too.
      failures:
        list.reduce((sum, r) => sum + r.non2xx + r.errors + r.mismatches, warmFailures[entry.id] ?? 0) +
        (list.every((r) => r.requests === 0) && !warmAnswered[entry.id] ? 1 : 0),
    };
    const has = (id: string) => measured[id] !== undefined;
    if (entry.spec && entry.id !== 'bare' && !entry.connections && entry.id !== 'refresh') {
      if (has('bare')) route.xBare = pairedRatio(rpsOf(entry.id), rpsOf('bare'));
      if (entry.id !== 'public' && entry.id !== 'public-logs' && has('public'))
        route.xPublic = pairedRatio(rpsOf(entry.id), rpsOf('public'));
    }
    if ((entry.id === 'token-login' || entry.id === 'session-login') && has('argon2'))
      route.xVerify = pairedRatio(rpsOf(entry.id), rpsOf('argon2'));
    return route;
  });

  const reader = readers[0]!;
  const bytes: ByteFigures = {
    cookieHeader: Buffer.byteLength(`Cookie: ${reader.cookie}`),
    bearerHeader: Buffer.byteLength(`Authorization: Bearer ${reader.token}`),
  };
  await logs.stop();
  await app.stop();
  Object.assign(bytes, await serverBytes(store, dataDir, extra.DATABASE_URL, extra.REDIS_URL));
  return { store, label: STORE_LABELS[store], routes, bytes, seconds: Math.round((Date.now() - started) / 1000) };
}

/** The routes --routes names, with the references their ratios need; all of them without it. */
function selected<T extends { id: string }>(specs: T[]): T[] {
  if (!onlyRoutes) return specs;
  const unknown = onlyRoutes.filter((id) => !specs.some((s) => s.id === id));
  if (unknown.length > 0) fail(`--routes: unknown ${unknown.join(', ')} (known: ${specs.map((s) => s.id).join(', ')})`);
  const wanted = new Set(onlyRoutes.flatMap((id) => [id, ...(REFERENCE_ROUTES[id] ?? ['public', 'bare'])]));
  return specs.filter((s) => wanted.has(s.id));
}

async function soak(store: StoreId, seconds: number): Promise<SoakResult> {
  const { dataDir, app, logs, readers, logins } = await prepareStore(store);
  await logs.stop();
  const families: Family[] = [];
  for (let i = 0; i < CONNECTIONS * 2; i++) {
    const user = logins[i % logins.length]!;
    families.push({ userId: user.id, refreshToken: (await tokenLogin(app.base, user.email)).refreshToken });
  }
  const specs = routeSpecs(app, logs, app, readers, logins, new TokenMinter(dataDir), families);
  const mixed = [
    'public',
    'jwt-one',
    'jwt-new',
    'session',
    'either',
    'me-bearer',
    'me-cookie',
    'notes-bearer',
    'notes-cookie',
    'refresh',
  ];
  const load = mixed.map((id) => specs.find((s) => s.id === id)!.spec!);
  const warmupSeconds = Math.min(60, Math.max(1, Math.round(seconds / 5)));
  const samples: Array<{ at: number; rss: number }> = [];
  const started = Date.now();
  const sampler = setInterval(() => {
    const rss = residentMiB(app.pid);
    if (rss !== undefined) samples.push({ at: (Date.now() - started) / 1000, rss });
  }, 2000);
  console.log(
    `\n== soak on ${STORE_LABELS[store]}: ${seconds} s of mixed traffic (${mixed.join(', ')}), warm-up ${warmupSeconds} s`,
  );
  const outcome = await runLoad(load, { connections: CONNECTIONS, seconds }).finally(() => clearInterval(sampler));
  if (outcome.firstMismatch) console.error(`  answer that failed its check: ${outcome.firstMismatch}`);
  if (outcome.non2xx > 0) console.error(`  non-2xx answers ${JSON.stringify(outcome.statuses)}`);
  const after = samples.filter((s) => s.at >= warmupSeconds);
  const rssWarm = after[0]?.rss ?? samples[0]?.rss ?? 0;
  const rssEnd = samples.at(-1)?.rss ?? 0;
  await app.stop();
  return {
    store,
    seconds,
    warmupSeconds,
    requests: outcome.requests,
    rps: outcome.rps,
    non2xx: outcome.non2xx,
    errors: outcome.errors,
    mismatches: outcome.mismatches,
    rssWarmMiB: rssWarm,
    rssEndMiB: rssEnd,
    rssPeakMiB: Math.max(0, ...after.map((s) => s.rss)),
    rssGrowth: growth(rssWarm, rssEnd),
  };
}

function writeReadme(result: BenchResult) {
  const outcomes = evaluateTargets(result);
  const content = [
    summaryLine(result),
    '',
    ...result.stores.flatMap((store) => [`**${store.label}**`, '', routeTable(store), '']),
    bytesTable(result.stores),
    '',
    ...(outcomes.length > 0 ? [targetTable(outcomes)] : []),
  ].join('\n');
  writeFileSync(README, replaceBetweenMarkers(readFileSync(README, 'utf8'), content));
  console.log(`README.md: benchmark table rewritten from the ${result.mode} run of ${result.startedAt}`);
}

async function main() {
  const startedAt = new Date();
  const loadBefore = loadavg();
  console.log(
    `bench: ${mode}, stores ${stores.join(', ')}, load average ${loadBefore.map((n) => n.toFixed(2)).join(' ')}`,
  );
  const result: BenchResult = {
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    seconds: 0,
    mode,
    machine: { cpus: cpus().length, node: process.version, loadBefore, loadAfter: [] },
    options: { rounds, duration, warmup, connections: CONNECTIONS, loginConnections: LOGIN_CONNECTIONS },
    stores: [],
  };
  if (soakSeconds !== undefined) {
    result.soak = await soak(stores[0]!, soakSeconds);
  } else {
    const bare = await startServer('bare Nest app', join(root, 'bench', 'bare-app.mjs'), {}, '/api/examples/public');
    cleanups.push(() => bare.stop());
    const hash = await hashPassword(PASSWORD);
    for (const store of stores) result.stores.push(await benchStore(store, bare, hash));
  }
  result.finishedAt = new Date().toISOString();
  result.seconds = (Date.now() - startedAt.getTime()) / 1000;
  result.machine.loadAfter = loadavg();

  // With --routes, the targets of the routes that were measured.
  const outcomes = evaluateTargets(result).filter((o) => !onlyRoutes || o.value !== undefined);
  const markdown = renderMarkdown(result, outcomes);
  console.log(`\n${markdown}`);
  // Full runs and soaks are the record in bench/results/; a quick run (CI) or one of a few
  // routes writes files only where --out says, never into the repository.
  if ((!quick && !onlyRoutes) || args.out) {
    const outDir = args.out ? resolve(args.out) : RESULTS;
    mkdirSync(outDir, { recursive: true });
    const name = mode === 'soak' ? 'soak' : mode === 'quick' ? 'quick' : 'latest';
    writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(join(outDir, `${name}.md`), markdown);
    console.log(`results: ${join(outDir, `${name}.json`)} and .md`);
  }
  if (args.readme && mode === 'full' && !onlyRoutes) writeReadme(result);

  const failed = failedResponses(result);
  if (failed > 0) {
    console.error(`bench: ${failed} response(s) failed or belonged to someone else`);
    process.exitCode = 1;
  }
  if (args.check) {
    const missed = outcomes.filter((o) => !o.pass);
    console.log(
      missed.length === 0 ? 'bench --check: every target met' : `bench --check: ${missed.length} target(s) missed`,
    );
    if (missed.length > 0) process.exitCode = 1;
  }
}

try {
  await main();
} catch (error) {
  console.error('bench:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
