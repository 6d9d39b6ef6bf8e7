import { describe, expect, it } from '@jest/globals';
import { passingStore, result, route } from './fixtures.js';
import { evaluateTargets, failedResponses, ROUTE_TARGETS } from './targets.js';

const at = (median: number) => ({ median, min: median, max: median });

describe('benchmark targets', () => {
  it('passes a run that meets every target, and lists each target per store', () => {
    const outcomes = evaluateTargets(result([passingStore('embedded'), passingStore('redis')]));
    expect(outcomes.every((o) => o.pass)).toBe(true);
    // the refresh rate applies to PostgreSQL stores only
    expect(outcomes.filter((o) => o.store === 'embedded database (PGlite)')).toHaveLength(ROUTE_TARGETS.length - 1);
    expect(outcomes.filter((o) => o.store === 'PostgreSQL + Redis')).toHaveLength(ROUTE_TARGETS.length);
  });

  it.each([
    ['public', { xBare: at(0.79) }, 'public ≥ 0.80 × bare Nest (LOG_LEVEL=warn)'],
    ['public-logs', { xBare: at(0.64) }, 'public with access logs ≥ 0.65 × bare Nest'],
    ['jwt-one', { xPublic: at(0.94) }, 'jwt-only, one token ≥ 0.95 × public'],
    ['jwt-new', { xPublic: at(0.59) }, 'jwt-only, new token per request ≥ 0.60 × public'],
    ['session', { xPublic: at(0.69) }, 'session-only ≥ 0.70 × public'],
    ['me-bearer', { xPublic: at(0.74) }, 'users/me by bearer ≥ 0.75 × public'],
    ['me-cookie', { xPublic: at(0.74) }, 'users/me by cookie ≥ 0.75 × public'],
    ['token-login', { xVerify: at(0.79) }, 'token login ≥ 0.8 × raw argon2id verify rate'],
    ['refresh', { rps: 399 }, 'refresh ≥ 400 req/s on PostgreSQL'],
  ])('fails %s just below its threshold', (id, figures, name) => {
    const outcomes = evaluateTargets(result([passingStore('postgres', { [id]: route(id, figures) })]));
    expect(outcomes.filter((o) => !o.pass).map((o) => o.name)).toEqual([name]);
  });

  it('passes a figure exactly at its threshold', () => {
    const outcomes = evaluateTargets(
      result([passingStore('postgres', { session: route('session', { xPublic: at(0.7) }) })]),
    );
    expect(outcomes.find((o) => o.name.startsWith('session-only'))!.pass).toBe(true);
  });

  it('fails a target whose route was not measured instead of skipping it', () => {
    const store = passingStore('embedded');
    store.routes = store.routes.filter((r) => r.id !== 'session');
    const missing = evaluateTargets(result([store])).find((o) => o.name.startsWith('session-only'))!;
    expect(missing).toMatchObject({ value: undefined, pass: false });
  });

  it('holds a soak to zero errors and less than 10 % memory growth after warm-up', () => {
    const soak = {
      store: 'redis' as const,
      seconds: 600,
      warmupSeconds: 60,
      requests: 1_000_000,
      rps: 1666,
      non2xx: 0,
      errors: 0,
      mismatches: 0,
      rssWarmMiB: 200,
      rssEndMiB: 219,
      rssPeakMiB: 221,
      rssGrowth: 0.095,
    };
    expect(evaluateTargets(result([], { soak })).every((o) => o.pass)).toBe(true);
    const grown = evaluateTargets(result([], { soak: { ...soak, rssEndMiB: 220, rssGrowth: 0.1 } }));
    expect(grown.filter((o) => !o.pass).map((o) => o.name)).toEqual([
      'soak: resident memory grows < 10 % after warm-up',
    ]);
    const foreign = evaluateTargets(result([], { soak: { ...soak, mismatches: 1 } }));
    expect(foreign.filter((o) => !o.pass).map((o) => o.name)).toEqual(['soak: 0 errors']);
  });

  it('counts failed and foreign answers over every store and the soak', () => {
    const bad = passingStore('embedded', { session: route('session', { xPublic: at(0.9), failures: 3 }) });
    expect(failedResponses(result([bad, passingStore('redis')]))).toBe(3);
    expect(failedResponses(result([passingStore('redis')]))).toBe(0);
  });
});
