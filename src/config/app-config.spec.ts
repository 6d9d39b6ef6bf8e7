import { describe, expect, it } from '@jest/globals';
import { loadConfig } from './app-config.js';
import { ConfigError } from './env.schema.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.app).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      dataDir: './data',
      logLevel: 'info',
      trustProxy: false,
    });
    expect(config.database).toEqual({ url: undefined, poolSize: 10 });
    expect(config.session).toMatchObject({
      idleTtlMs: 30 * 60_000,
      absoluteTtlMs: 7 * 86_400_000,
      cookieSecure: false,
    });
    expect(config.jwt).toMatchObject({
      algorithm: 'ES256',
      accessTtlMs: 15 * 60_000,
      refreshTtlMs: 30 * 86_400_000,
      clockToleranceMs: 5_000,
      refreshReuseGraceMs: 2_000,
    });
    expect(config.abuse).toEqual({ loginMaxFailures: 5, loginAccountMaxFailures: 20, throttleAuthLimit: 60 });
    expect(config.audit.retentionMs).toBe(90 * 86_400_000);
    expect(config.logins.maxPerUser).toBe(100);
  });

  it('reads values and treats empty strings as unset', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u@h/db',
      REDIS_URL: '',
      TRUST_PROXY: '1',
      CORS_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(config.app.port).toBe(8080);
    expect(config.database.url).toBe('postgres://u@h/db');
    expect(config.redis).toEqual({ url: undefined, clusterNodes: [] });
    expect(config.app.trustProxy).toBe(1);
    expect(config.app.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it.each([
    ['1', 1],
    ['2', 2],
    ['10.0.0.1, 10.0.0.2', '10.0.0.1, 10.0.0.2'],
    ['loopback, 192.168.0.0/16', 'loopback, 192.168.0.0/16'],
    ['10.0.0.1,fd00::/8', '10.0.0.1, fd00::/8'],
    ['::1, 10.0.0.0/8', '::1, 10.0.0.0/8'],
    ['false', false],
  ])('accepts TRUST_PROXY=%s (a hop count, addresses or off)', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).app.trustProxy).toEqual(expected);
  });

  it('reads REDIS_CLUSTER_NODES as seed nodes: names, IPv4, bracketed IPv6', () => {
    const config = loadConfig({
      REDIS_URL: '',
      REDIS_CLUSTER_NODES: 'redis-0.redis.svc:6379, 10.0.0.2:7001,[::1]:7002,',
    });
    expect(config.redis).toEqual({
      url: undefined,
      clusterNodes: [
        { host: 'redis-0.redis.svc', port: 6379 },
        { host: '10.0.0.2', port: 7001 },
        { host: '::1', port: 7002 },
      ],
    });
  });

  it('AUTH_FRESH_MAX_AGE defaults to 5m and takes a duration', () => {
    expect(loadConfig({}).auth.freshMaxAgeMs).toBe(300_000);
    expect(loadConfig({ AUTH_FRESH_MAX_AGE: '10m' }).auth.freshMaxAgeMs).toBe(600_000);
  });

  it('accepts JWT_CLOCK_TOLERANCE=0s (no leeway) and other durations', () => {
    expect(loadConfig({ JWT_CLOCK_TOLERANCE: '0s' }).jwt.clockToleranceMs).toBe(0);
    expect(loadConfig({ JWT_CLOCK_TOLERANCE: '30s' }).jwt.clockToleranceMs).toBe(30_000);
  });

  it('accepts JWT_REFRESH_REUSE_GRACE=0s (no grace) and other durations', () => {
    expect(loadConfig({ JWT_REFRESH_REUSE_GRACE: '0s' }).jwt.refreshReuseGraceMs).toBe(0);
    expect(loadConfig({ JWT_REFRESH_REUSE_GRACE: '30s' }).jwt.refreshReuseGraceMs).toBe(30_000);
  });

  it('makes cookies Secure by default in production', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      SESSION_SECRET: 's'.repeat(32),
      JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nx\\n-----END PRIVATE KEY-----',
      JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\\nx\\n-----END PUBLIC KEY-----',
    });
    expect(config.session.cookieSecure).toBe(true);
    expect(config.jwt.privateKey).toContain('\n');
  });

  it.each([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['DATABASE_URL', { DATABASE_URL: 'nonsense' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://h/db' }],
    ['REDIS_URL', { REDIS_URL: 'http://h' }],
    // A single Redis or a cluster, never both: neither may silently win.
    ['REDIS_CLUSTER_NODES', { REDIS_URL: 'redis://h:6379', REDIS_CLUSTER_NODES: 'h:7000' }],
    ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: 'h' }],
    ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: 'h:7000,h:0' }],
    ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: 'h:70000' }],
    ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: 'redis://h:7000' }],
    ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: '::1:7000' }],
    ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: '[10.0.0.1]:7000' }],
    ['SESSION_IDLE_TTL', { SESSION_IDLE_TTL: '15' }],
    ['SESSION_ABSOLUTE_TTL', { SESSION_IDLE_TTL: '2d', SESSION_ABSOLUTE_TTL: '1d' }],
    ['COOKIE_SECURE', { COOKIE_SECURE: 'maybe' }],
    ['NODE_ENV', { NODE_ENV: 'staging' }],
    ['SESSION_SECRET', { SESSION_SECRET: 'short' }],
    ['SESSION_SECRET', { NODE_ENV: 'production' }],
    ['JWT_SECRET', { JWT_ALGORITHM: 'HS256', JWT_SECRET: 'too short' }],
    ['JWT_ALGORITHM', { JWT_ALGORITHM: 'none' }],
    ['JWT_PUBLIC_KEY', { JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----x-----END PRIVATE KEY-----' }],
    ['JWT_PRIVATE_KEY', { JWT_PRIVATE_KEY: 'not a pem' }],
    ['ADMIN_PASSWORD', { ADMIN_EMAIL: 'a@example.com' }],
    ['LOGIN_MAX_FAILURES', { LOGIN_MAX_FAILURES: '0' }],
    ['MAX_LOGINS_PER_USER', { MAX_LOGINS_PER_USER: '0' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['TRUST_PROXY', { TRUST_PROXY: '$(rm -rf)' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'true' }],
    ['AUTH_FRESH_MAX_AGE', { AUTH_FRESH_MAX_AGE: '300' }],
    ['AUTH_FRESH_MAX_AGE', { AUTH_FRESH_MAX_AGE: '0s' }],
    ['JWT_CLOCK_TOLERANCE', { JWT_CLOCK_TOLERANCE: '5' }],
    ['JWT_CLOCK_TOLERANCE', { JWT_CLOCK_TOLERANCE: '-1s' }],
    ['JWT_CLOCK_TOLERANCE', { JWT_CLOCK_TOLERANCE: '1h' }],
    ['JWT_REFRESH_REUSE_GRACE', { JWT_REFRESH_REUSE_GRACE: '2' }],
    ['JWT_REFRESH_REUSE_GRACE', { JWT_REFRESH_REUSE_GRACE: '1h' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'TRUE' }],
    // Each of these trusts any client's X-Forwarded-For, or is no address at all.
    ['TRUST_PROXY', { TRUST_PROXY: '0.0.0.0/0' }],
    ['TRUST_PROXY', { TRUST_PROXY: '::/0,0.0.0.0/0' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'true,' }],
    ['TRUST_PROXY', { TRUST_PROXY: '999' }],
    ['TRUST_PROXY', { TRUST_PROXY: '10.0.0.1/33' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'proxy.example' }],
    ['TRUST_PROXY', { TRUST_PROXY: '::ffff:0:0/96' }],
    ['TRUST_PROXY', { TRUST_PROXY: '::ffff:0.0.0.0/96' }],
    ['TRUST_PROXY', { TRUST_PROXY: '0.0.0.0/1,128.0.0.0/1' }],
    ['LOGIN_ACCOUNT_MAX_FAILURES', { LOGIN_ACCOUNT_MAX_FAILURES: '0' }],
  ])('rejects a bad %s with one line naming it', (variable, env) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toMatch(new RegExp(`^Invalid configuration: ${variable} [^\\n]+$`));
  });
  it('reads the mail and recovery settings, with their defaults', () => {
    expect(loadConfig({}).mail).toEqual({
      smtpUrl: undefined,
      from: 'nest-dual-auth <no-reply@localhost>',
      appUrl: 'http://localhost:3000',
    });
    expect(loadConfig({}).recovery).toEqual({
      passwordResetTtlMs: 30 * 60_000,
      emailVerificationTtlMs: 86_400_000,
      requireVerifiedEmail: false,
      maxPerEmail: 5,
      maxPerIp: 30,
    });
    const config = loadConfig({
      SMTP_URL: 'smtps://u:p@mail.example:465',
      MAIL_FROM: 'no-reply@example.com',
      APP_URL: 'https://app.example/',
      PASSWORD_RESET_TTL: '10m',
      REQUIRE_VERIFIED_EMAIL: 'true',
    });
    expect(config.mail).toEqual({
      smtpUrl: 'smtps://u:p@mail.example:465',
      from: 'no-reply@example.com',
      appUrl: 'https://app.example',
    });
    expect(config.recovery).toMatchObject({ passwordResetTtlMs: 600_000, requireVerifiedEmail: true });
  });

  it.each([
    ['SMTP_URL', 'http://mail.example'],
    ['MAIL_FROM', 'App <no-reply@example.com>\r\nBcc: x@example.com'],
    ['MAIL_FROM', 'Bcc: x@example.com\r\nApp <no-reply@example.com>'],
    ['MAIL_FROM', 'not an address'],
    ['APP_URL', 'javascript:alert(1)'],
    ['PASSWORD_RESET_TTL', '30'],
    ['REQUIRE_VERIFIED_EMAIL', 'maybe'],
  ])('refuses %s=%j, naming it', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });
});
