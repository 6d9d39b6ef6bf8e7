import ms from 'ms';

/** Raised when an environment variable has a value the service cannot run with. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** Reads one variable; empty strings count as unset so `.env.example` can list blanks. */
function raw(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function show(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}

export function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max} (got ${show(value)})`);
  }
  return Number(value);
}

export function bool(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new ConfigError(name, `must be true or false (got ${show(value)})`);
}

export function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got ${show(value)})`);
  }
  return value as T;
}

/** A duration such as `30m`, `7d` or `900s`, returned in milliseconds; `minMs` 0 allows `0s`. */
export function duration(env: Env, name: string, fallback: string, minMs = 1000): number {
  const value = raw(env, name) ?? fallback;
  // `ms` reads a bare number as milliseconds; a unit is required so `15` is not silently 15 ms.
  const parsed = /^\d+(\.\d+)?\s*[a-z]+$/i.test(value) ? ms(value as ms.StringValue) : undefined;
  if (parsed === undefined || !Number.isFinite(parsed) || parsed < minMs) {
    const least = minMs === 0 ? '' : ` of at least ${ms(minMs)}`;
    throw new ConfigError(name, `must be a duration${least} such as 30m, 12h or 7d (got ${show(value)})`);
  }
  return parsed;
}

export function url(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, `must be a URL such as ${protocols[0]}//host:port/... (got an unparseable value)`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')} (got ${parsed.protocol})`);
  }
  return value;
}

export function text(env: Env, name: string, fallback?: string): string | undefined {
  return raw(env, name) ?? fallback;
}

export function list(env: Env, name: string): string[] {
  const value = raw(env, name);
  return value === undefined
    ? []
    : value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
}

/** PEM values may be given with literal `\n` so they fit on one `.env` line. */
export function pem(env: Env, name: string): string | undefined {
  const value = raw(env, name)?.replace(/\\n/g, '\n');
  if (value !== undefined && !/-----BEGIN [A-Z ]+-----/.test(value)) {
    throw new ConfigError(name, 'must be a PEM-encoded key (-----BEGIN ... -----)');
  }
  return value;
}

/** A list of PEM blocks, separated by anything (commas, new lines). */
export function pemList(env: Env, name: string): string[] {
  const value = raw(env, name)?.replace(/\\n/g, '\n');
  if (value === undefined) return [];
  const blocks = value.match(/-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g);
  if (!blocks) throw new ConfigError(name, 'must hold one or more PEM-encoded public keys');
  return blocks;
}
