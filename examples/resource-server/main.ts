import { startResourceServer } from './resource-server.js';

/** Reads its settings from the environment (see README.md), starts, and stops on SIGTERM/SIGINT. */
function settings(env: NodeJS.ProcessEnv) {
  const jwksUrl = env.JWKS_URL ?? 'http://127.0.0.1:3000/.well-known/jwks.json';
  let url: URL;
  try {
    url = new URL(jwksUrl);
  } catch {
    return fail('JWKS_URL', 'must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail('JWKS_URL', 'must be http(s)');
  return {
    options: {
      jwksUrl: url,
      issuer: env.JWT_ISSUER ?? 'nest-dual-auth',
      audience: env.JWT_AUDIENCE ?? 'nest-dual-auth',
      cacheMaxAgeMs: integer(env, 'JWKS_CACHE_MAX_AGE_MS', 300_000),
      cooldownMs: integer(env, 'JWKS_COOLDOWN_MS', 30_000),
    },
    port: integer(env, 'PORT', 4000),
    host: env.HOST ?? '127.0.0.1',
  };
}

/** A non-negative integer setting (milliseconds, or the port). */
function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) return fail(name, 'must be a non-negative integer');
  return Number(raw);
}

function fail(name: string, reason: string): never {
  console.error(`Invalid configuration: ${name} ${reason}`);
  process.exit(1);
}

const { options, port, host } = settings(process.env);
const running = await startResourceServer(options, port, host);
console.log(`Resource server on ${running.url} (keys from ${options.jwksUrl.href})`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void running.close().then(() => process.exit(0)));
}
