/** The performance targets `npm run bench -- --check` holds a run to. */
import type { BenchResult, RouteResult, StoreResult } from './result.js';

export interface TargetOutcome {
  name: string;
  store?: string;
  /** The measured figure, in the unit of the threshold (a ratio, req/s or a fraction). */
  value: number | undefined;
  threshold: number;
  unit: '×' | 'req/s' | '%' | 'count';
  /** at least (≥) or below (<) the threshold */
  direction: 'min' | 'max';
  pass: boolean;
}

interface RouteTarget {
  name: string;
  route: string;
  metric: 'xBare' | 'xPublic' | 'xVerify' | 'rps';
  threshold: number;
  stores?: StoreResult['store'][];
}

/** From the performance issue's target list; ratios are medians of per-round ratios. */
export const ROUTE_TARGETS: readonly RouteTarget[] = [
  { name: 'public ≥ 0.80 × bare Nest (LOG_LEVEL=warn)', route: 'public', metric: 'xBare', threshold: 0.8 },
  { name: 'public with access logs ≥ 0.65 × bare Nest', route: 'public-logs', metric: 'xBare', threshold: 0.65 },
  { name: 'jwt-only, one token ≥ 0.95 × public', route: 'jwt-one', metric: 'xPublic', threshold: 0.95 },
  { name: 'jwt-only, new token per request ≥ 0.60 × public', route: 'jwt-new', metric: 'xPublic', threshold: 0.6 },
  { name: 'session-only ≥ 0.70 × public', route: 'session', metric: 'xPublic', threshold: 0.7 },
  { name: 'users/me by bearer ≥ 0.75 × public', route: 'me-bearer', metric: 'xPublic', threshold: 0.75 },
  { name: 'users/me by cookie ≥ 0.75 × public', route: 'me-cookie', metric: 'xPublic', threshold: 0.75 },
  { name: 'token login ≥ 0.8 × raw argon2id verify rate', route: 'token-login', metric: 'xVerify', threshold: 0.8 },
  {
    name: 'refresh ≥ 400 req/s on PostgreSQL',
    route: 'refresh',
    metric: 'rps',
    threshold: 400,
    stores: ['postgres', 'redis'],
  },
];

export const SOAK_MAX_RSS_GROWTH = 0.1;

function metricOf(route: RouteResult | undefined, metric: RouteTarget['metric']): number | undefined {
  if (!route) return undefined;
  return metric === 'rps' ? route.rps.median : route[metric]?.median;
}

/**
 * Every target that applies to the run, each with its figure and pass/fail. A route that was not
 * measured fails its target (undefined value) instead of passing silently. Whatever the targets,
 * a failed or foreign response anywhere fails the run too.
 */
export function evaluateTargets(result: BenchResult): TargetOutcome[] {
  const outcomes: TargetOutcome[] = [];
  for (const store of result.stores) {
    for (const target of ROUTE_TARGETS) {
      if (target.stores && !target.stores.includes(store.store)) continue;
      const value = metricOf(
        store.routes.find((route) => route.id === target.route),
        target.metric,
      );
      outcomes.push({
        name: target.name,
        store: store.label,
        value,
        threshold: target.threshold,
        unit: target.metric === 'rps' ? 'req/s' : '×',
        direction: 'min',
        pass: value !== undefined && value >= target.threshold,
      });
    }
  }
  if (result.soak) {
    const { soak } = result;
    const errors = soak.non2xx + soak.errors + soak.mismatches;
    outcomes.push({
      name: 'soak: 0 errors',
      store: soak.store,
      value: errors,
      threshold: 0,
      unit: 'count',
      direction: 'max',
      pass: errors === 0,
    });
    outcomes.push({
      name: 'soak: resident memory grows < 10 % after warm-up',
      store: soak.store,
      value: soak.rssGrowth * 100,
      threshold: SOAK_MAX_RSS_GROWTH * 100,
      unit: '%',
      direction: 'max',
      pass: soak.rssGrowth < SOAK_MAX_RSS_GROWTH,
    });
  }
  return outcomes;
}

/** Responses that failed (non-2xx, socket errors) or belonged to someone else, over the whole run. */
export function failedResponses(result: BenchResult): number {
  const routes = result.stores.flatMap((store) => store.routes).reduce((sum, route) => sum + route.failures, 0);
  const soak = result.soak ? result.soak.non2xx + result.soak.errors + result.soak.mismatches : 0;
  return routes + soak;
}
