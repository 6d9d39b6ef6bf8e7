import { isIP } from 'node:net';
import { bool, ConfigError, duration, int, list, oneOf, pem, pemList, text, url, type Env } from './env.schema.js';

export type NodeEnv = 'development' | 'production' | 'test';
export type JwtAlgorithm = 'ES256' | 'HS256';

export interface RedisNode {
  host: string;
  port: number;
}

/** The whole validated configuration; the only shape the rest of the code reads. */
export interface AppConfig {
  app: {
    nodeEnv: NodeEnv;
    port: number;
    logLevel: string;
    /** Where the embedded database, generated keys and secrets live. */
    dataDir: string;
    corsOrigins: string[];
    /** Express `trust proxy` value: false, a hop count, or a list of addresses/subnets. */
    trustProxy: false | number | string;
  };
  database: {
    /** Unset → the embedded PostgreSQL (PGlite) in `dataDir`. */
    url: string | undefined;
    poolSize: number;
  };
  redis: {
    url: string | undefined;
    /** Seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES); empty unless set, never with `url`. */
    clusterNodes: RedisNode[];
  };
  session: {
    secret: string | undefined;
    idleTtlMs: number;
    absoluteTtlMs: number;
    cookieSecure: boolean;
  };
  jwt: {
    algorithm: JwtAlgorithm;
    privateKey: string | undefined;
    publicKey: string | undefined;
    previousPublicKeys: string[];
    secret: string | undefined;
    issuer: string;
    audience: string;
    accessTtlMs: number;
    refreshTtlMs: number;
    /** Leeway on `exp` and `nbf` for clocks that disagree a little (RFC 7519 §4.1.4). */
    clockToleranceMs: number;
    /** How soon after its use a refresh token presented again is a race, not theft (0 = never). */
    refreshReuseGraceMs: number;
  };
  /** Active logins one user may hold; past it, a new login ends the least recently used. */
  logins: { maxPerUser: number };
  admin: { email: string | undefined; password: string | undefined };
  abuse: { loginMaxFailures: number; loginAccountMaxFailures: number; throttleAuthLimit: number };
  audit: { retentionMs: number };
  mail: {
    /** Unset → each message is written to `DATA_DIR/outbox/` as an .eml file. */
    smtpUrl: string | undefined;
    from: string;
    /** Where the links in mails point: the front end's pages. */
    appUrl: string;
  };
  recovery: {
    passwordResetTtlMs: number;
    emailVerificationTtlMs: number;
    /** Login of an account whose email is not verified answers 403 (after the password check). */
    requireVerifiedEmail: boolean;
    /** Mails (reset or verification) one address may be sent per hour. */
    maxPerEmail: number;
    /** Mail requests one IP may make per hour; 0 = no limit. */
    maxPerIp: number;
  };
  /** How recently a login must have proved the password (or a second factor) on `@Fresh()` routes. */
  auth: { freshMaxAgeMs: number };
}

/** Hop counts beyond this trust addresses a client can write itself, as `true` would. */
const MAX_PROXY_HOPS = 10;
/** The names Express's `trust proxy` takes for whole address ranges. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function trustProxy(env: Env): false | number | string {
  const value = text(env, 'TRUST_PROXY');
  if (value === undefined || /^(false|0|no)$/i.test(value)) return false;
  // `true` takes the left-most X-Forwarded-For address, which any client writes itself: rate
  // limits and lockouts would count whatever address the attacker names.
  if (/^(true|yes)$/i.test(value)) {
    throw new ConfigError(
      'TRUST_PROXY',
      "must be a hop count (e.g. 1) or the proxies' addresses; true would trust any client's X-Forwarded-For",
    );
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > MAX_PROXY_HOPS)
      throw new ConfigError('TRUST_PROXY', `must be a hop count from 1 to ${MAX_PROXY_HOPS} (got ${hops})`);
    return hops;
  }
  const items = value.split(',').map((item) => item.trim());
  const bad = items.find((item) => !isProxyAddress(item));
  if (bad !== undefined) {
    throw new ConfigError(
      'TRUST_PROXY',
      `must be false, a hop count, or a comma-separated list of proxy addresses or subnets (not ${JSON.stringify(bad.slice(0, 60))})`,
    );
  }
  return items.join(', ');
}

/**
 * An address, a subnet no wider than a /8, or one of Express's range names. IPv6 in ::/8 (which
 * holds the IPv4-mapped ::ffff:0:0/96) other than ::1 is refused: Express folds a mapped subnet
 * into IPv4, so ::ffff:0:0/96 would trust every client. Write IPv4 proxies as IPv4.
 */
function isProxyAddress(item: string): boolean {
  if (PROXY_RANGE_NAMES.has(item)) return true;
  const [address = '', prefix, ...rest] = item.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (family === 6 && address !== '::1' && /^(::|0{1,4}:)/.test(address)) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) >= 8 && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * REDIS_URL names one Redis, REDIS_CLUSTER_NODES the seed nodes of a Redis Cluster: one
 * deployment has one or the other, so setting both is refused rather than one silently winning.
 */
function redis(env: Env): AppConfig['redis'] {
  const single = url(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const clusterNodes = list(env, 'REDIS_CLUSTER_NODES').map(redisNode);
  if (single !== undefined && clusterNodes.length > 0) {
    throw new ConfigError(
      'REDIS_CLUSTER_NODES',
      'must not be set together with REDIS_URL (one names a single Redis, the other a cluster)',
    );
  }
  return { url: single, clusterNodes };
}

/** `host:port`, the host a name or an IPv4 address, or an IPv6 address in brackets (`[::1]:7000`). */
function redisNode(item: string): RedisNode {
  const match = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9._-]+)):(\d{1,5})$/i.exec(item);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || (match?.[1] !== undefined && isIP(host) !== 6) || port < 1 || port > 65535) {
    throw new ConfigError(
      'REDIS_CLUSTER_NODES',
      `must be a comma-separated list of host:port (not ${JSON.stringify(item.slice(0, 60))})`,
    );
  }
  return { host, port };
}

/** A mailbox in `MAIL_FROM`: `address@host` or `Name <address@host>`, no line breaks (header injection). */
const MAILBOX = /^(?:[^<>\r\n]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/;

function mail(env: Env): AppConfig['mail'] {
  const from = text(env, 'MAIL_FROM', 'nest-dual-auth <no-reply@localhost>') as string;
  if (!MAILBOX.test(from))
    throw new ConfigError(
      'MAIL_FROM',
      `must be an address such as "App <no-reply@example.com>" (got ${JSON.stringify(from.slice(0, 60))})`,
    );
  const appUrl = url(env, 'APP_URL', ['http:', 'https:']) ?? 'http://localhost:3000';
  return { smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']), from, appUrl: appUrl.replace(/\/+$/, '') };
}

/**
 * Validates the environment once at boot. The first bad value throws a `ConfigError`
 * whose message is the one line printed before the process exits.
 */
export function loadConfig(env: Env): AppConfig {
  const nodeEnv = oneOf<NodeEnv>(env, 'NODE_ENV', 'development', ['development', 'production', 'test']);
  const production = nodeEnv === 'production';

  const session = {
    secret: text(env, 'SESSION_SECRET'),
    idleTtlMs: duration(env, 'SESSION_IDLE_TTL', '30m'),
    absoluteTtlMs: duration(env, 'SESSION_ABSOLUTE_TTL', '7d'),
    cookieSecure: bool(env, 'COOKIE_SECURE', production),
  };
  if (session.secret !== undefined && session.secret.length < 32) {
    throw new ConfigError('SESSION_SECRET', 'must be at least 32 characters');
  }
  if (production && session.secret === undefined) {
    throw new ConfigError('SESSION_SECRET', 'is required when NODE_ENV=production');
  }
  if (session.absoluteTtlMs < session.idleTtlMs) {
    throw new ConfigError('SESSION_ABSOLUTE_TTL', 'must not be shorter than SESSION_IDLE_TTL');
  }

  const jwt = {
    algorithm: oneOf<JwtAlgorithm>(env, 'JWT_ALGORITHM', 'ES256', ['ES256', 'HS256']),
    privateKey: pem(env, 'JWT_PRIVATE_KEY'),
    publicKey: pem(env, 'JWT_PUBLIC_KEY'),
    previousPublicKeys: pemList(env, 'JWT_PREVIOUS_PUBLIC_KEYS'),
    secret: text(env, 'JWT_SECRET'),
    issuer: text(env, 'JWT_ISSUER', 'nest-dual-auth') as string,
    audience: text(env, 'JWT_AUDIENCE', 'nest-dual-auth') as string,
    accessTtlMs: duration(env, 'JWT_ACCESS_TTL', '15m'),
    refreshTtlMs: duration(env, 'JWT_REFRESH_TTL', '30d'),
    clockToleranceMs: duration(env, 'JWT_CLOCK_TOLERANCE', '5s', 0),
    refreshReuseGraceMs: duration(env, 'JWT_REFRESH_REUSE_GRACE', '2s', 0),
  };
  // A leeway is for clocks a few seconds apart; minutes of it would keep expired tokens alive.
  if (jwt.clockToleranceMs > 5 * 60_000) {
    throw new ConfigError('JWT_CLOCK_TOLERANCE', 'must be at most 5m');
  }
  // A replay inside the grace goes unnoticed: a long one would hide a stolen token.
  if (jwt.refreshReuseGraceMs > 60_000) {
    throw new ConfigError('JWT_REFRESH_REUSE_GRACE', 'must be at most 1m');
  }
  if (jwt.algorithm === 'HS256' && Buffer.byteLength(jwt.secret ?? '') < 32) {
    throw new ConfigError('JWT_SECRET', 'must be at least 32 bytes when JWT_ALGORITHM=HS256');
  }
  if (jwt.algorithm === 'ES256' && (jwt.privateKey === undefined) !== (jwt.publicKey === undefined)) {
    throw new ConfigError(jwt.privateKey ? 'JWT_PUBLIC_KEY' : 'JWT_PRIVATE_KEY', 'must be set together with its pair');
  }
  if (production && jwt.algorithm === 'ES256' && jwt.privateKey === undefined) {
    throw new ConfigError('JWT_PRIVATE_KEY', 'and JWT_PUBLIC_KEY are required when NODE_ENV=production');
  }

  const admin = { email: text(env, 'ADMIN_EMAIL'), password: text(env, 'ADMIN_PASSWORD') };
  if ((admin.email === undefined) !== (admin.password === undefined)) {
    throw new ConfigError(admin.email ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL', 'must be set together with its pair');
  }
  if (admin.password !== undefined && (admin.password.length < 8 || admin.password.length > 128)) {
    throw new ConfigError('ADMIN_PASSWORD', 'must be 8 to 128 characters');
  }

  // Every top-level key is an object: @nestjs/config copies scalar top-level keys into process.env.
  return {
    app: {
      nodeEnv,
      port: int(env, 'PORT', 3000, 0, 65535),
      logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
      dataDir: text(env, 'DATA_DIR', './data') as string,
      corsOrigins: list(env, 'CORS_ORIGINS'),
      trustProxy: trustProxy(env),
    },
    database: {
      url: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
      poolSize: int(env, 'DATABASE_POOL_SIZE', 10, 1, 1000),
    },
    redis: redis(env),
    session,
    jwt,
    logins: { maxPerUser: int(env, 'MAX_LOGINS_PER_USER', 100, 1, 100_000) },
    admin,
    abuse: {
      loginMaxFailures: int(env, 'LOGIN_MAX_FAILURES', 5, 1, 1000),
      loginAccountMaxFailures: int(env, 'LOGIN_ACCOUNT_MAX_FAILURES', 20, 1, 100_000),
      throttleAuthLimit: int(env, 'THROTTLE_AUTH_LIMIT', 60, 0, 1_000_000),
    },
    audit: { retentionMs: duration(env, 'AUDIT_RETENTION', '90d') },
    mail: mail(env),
    recovery: {
      passwordResetTtlMs: duration(env, 'PASSWORD_RESET_TTL', '30m'),
      // Fixed by the contract: a verification link is good for a day.
      emailVerificationTtlMs: 24 * 3_600_000,
      requireVerifiedEmail: bool(env, 'REQUIRE_VERIFIED_EMAIL', false),
      maxPerEmail: int(env, 'RECOVERY_MAX_PER_EMAIL', 5, 1, 1000),
      maxPerIp: int(env, 'RECOVERY_MAX_PER_IP', 30, 0, 1_000_000),
    },
    auth: { freshMaxAgeMs: duration(env, 'AUTH_FRESH_MAX_AGE', '5m', 1000) },
  };
}
