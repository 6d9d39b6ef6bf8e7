/** A benchmark result built for the specs: ratios and rates chosen per route. */
import type { BenchResult, RouteResult, StoreId, StoreResult } from './result.js';
import { STORE_LABELS } from './result.js';

export function route(
  id: string,
  figures: Partial<Pick<RouteResult, 'xBare' | 'xPublic' | 'xVerify' | 'failures'>> & { rps?: number } = {},
): RouteResult {
  const rps = figures.rps ?? 1000;
  return {
    id,
    title: id,
    connections: 50,
    rounds: [{ rps, p50: 10, p99: 20, requests: rps, non2xx: 0, errors: 0, mismatches: 0 }],
    rps: { median: rps, min: rps, max: rps },
    p50: 10,
    p99: 20,
    failures: figures.failures ?? 0,
    ...(figures.xBare ? { xBare: figures.xBare } : {}),
    ...(figures.xPublic ? { xPublic: figures.xPublic } : {}),
    ...(figures.xVerify ? { xVerify: figures.xVerify } : {}),
  };
}

const at = (median: number) => ({ median, min: median, max: median });

/** A store whose every route meets its target unless `override` says otherwise. */
export function passingStore(store: StoreId, override: Record<string, RouteResult> = {}): StoreResult {
  const routes = [
    route('bare', { rps: 6000 }),
    route('public', { xBare: at(0.85) }),
    route('public-logs', { xBare: at(0.7) }),
    route('jwt-one', { xBare: at(0.83), xPublic: at(0.97) }),
    route('jwt-new', { xPublic: at(0.7) }),
    route('session', { xPublic: at(0.75) }),
    route('me-bearer', { xPublic: at(0.8) }),
    route('me-cookie', { xPublic: at(0.8) }),
    route('token-login', { xVerify: at(0.9), rps: 90 }),
    route('refresh', { rps: 500 }),
  ].map((r) => override[r.id] ?? r);
  return { store, label: STORE_LABELS[store], routes, bytes: { cookieHeader: 100, bearerHeader: 500 }, seconds: 100 };
}

export function result(stores: StoreResult[], extra: Partial<BenchResult> = {}): BenchResult {
  return {
    startedAt: '2026-12-01T12:00:00.000Z',
    finishedAt: '2026-12-01T12:10:00.000Z',
    seconds: 600,
    mode: 'full',
    machine: { cpus: 2, node: 'v20.20.2', loadBefore: [0.1, 0.2, 0.3], loadAfter: [1.9, 1.5, 0.9] },
    options: { rounds: 3, duration: 4, warmup: 1, connections: 50, loginConnections: 10 },
    stores,
    ...extra,
  };
}
