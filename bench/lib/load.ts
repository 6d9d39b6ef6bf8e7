/** One autocannon run, with every response checked. */
import autocannon, { type AutocannonRequest, type AutocannonResult } from 'autocannon';
import type { RoundResult } from './result.js';

/** Says whether a 2xx answer is the one expected for the request that `context` describes. */
export type ResponseCheck = (
  body: string,
  context: Record<string, unknown>,
  headers: Record<string, string | string[]>,
) => boolean;

export interface LoadSpec {
  base: string;
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * Fixed requests, e.g. one per user: each is built once and sent as it is, every connection
   * going through them in turn, and its answers are checked with its own `context`. For
   * credentials that do not change during a run: a request rebuilt per send costs the load
   * generator CPU that the reference routes do not pay, on cores it shares with the service.
   */
  variants?: Array<{ headers: Record<string, string>; context: Record<string, unknown> }>;
  /**
   * Per request, for what must change every time (a new token, a chained refresh token): fills
   * in its credential and records in `context` whose answer to expect.
   */
  setup?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest;
  check: ResponseCheck;
}

export interface LoadOutcome extends RoundResult {
  /** The first answer that failed its check, for the error message. */
  firstMismatch?: string;
  /** Non-2xx answers by path and status, e.g. `/api/auth/token/refresh 401` → 3. */
  statuses: Record<string, number>;
}

/**
 * Runs the specs against their server for `seconds`; with several specs (the soak) each
 * connection sends them in turn, each spec as often as the others. Non-2xx answers and socket errors come from autocannon; every
 * 2xx answer goes through its spec's check.
 */
export async function runLoad(
  specs: LoadSpec[],
  options: { connections: number; seconds: number },
): Promise<LoadOutcome> {
  let mismatches = 0;
  let firstMismatch: string | undefined;
  const statuses: Record<string, number> = {};
  const request = (
    spec: LoadSpec,
    headers: Record<string, string> | undefined,
    fixedContext: Record<string, unknown> | undefined,
  ): AutocannonRequest => ({
    method: spec.method ?? 'GET',
    path: spec.path,
    headers: {
      ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...spec.headers,
      ...headers,
    },
    ...(spec.body === undefined ? {} : { body: spec.body }),
    ...(spec.setup
      ? {
          setupRequest: (request: AutocannonRequest, context: Record<string, unknown>) => spec.setup!(request, context),
        }
      : {}),
    onResponse: (status, body, context, headers) => {
      if (status < 200 || status > 299) {
        // counted by autocannon as non-2xx; kept here by path and status to say which failed
        const key = `${spec.path} ${status}`;
        statuses[key] = (statuses[key] ?? 0) + 1;
        return;
      }
      let ok: boolean;
      try {
        ok = spec.check(body, fixedContext ?? context, headers);
      } catch {
        ok = false;
      }
      if (!ok) {
        mismatches++;
        firstMismatch ??= `${spec.path}: ${body.slice(0, 300)}`;
      }
    },
  });
  // Each spec's requests in turn, one variant at a time: every spec gets the same share of the
  // traffic however many variants it has (the soak's mix).
  const perSpec = specs.map((spec) =>
    spec.variants
      ? spec.variants.map((variant) => request(spec, variant.headers, variant.context))
      : [request(spec, undefined, undefined)],
  );
  const turns = Math.max(...perSpec.map((list) => list.length));
  const requests = Array.from({ length: turns }, (_, turn) => perSpec.map((list) => list[turn % list.length]!)).flat();
  const result = await new Promise<AutocannonResult>((resolve, reject) =>
    autocannon(
      { url: specs[0]!.base, connections: options.connections, duration: options.seconds, timeout: 10, requests },
      (error, res) => (error ? reject(error) : resolve(res)),
    ),
  );
  return {
    // Completed answers over the run's real length: autocannon's per-second average drops the
    // last partial second, which is most of a one-second run.
    rps: result.duration > 0 ? result.requests.total / result.duration : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors, // timeouts included
    mismatches,
    statuses,
    ...(firstMismatch === undefined ? {} : { firstMismatch }),
  };
}
