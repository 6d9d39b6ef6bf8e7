/** The shape of bench/results/latest.json: what a run measured, before any target is applied. */
import type { Spread } from './stats.js';

export type StoreId = 'embedded' | 'postgres' | 'redis';

export const STORE_LABELS: Record<StoreId, string> = {
  embedded: 'embedded database (PGlite)',
  postgres: 'PostgreSQL',
  redis: 'PostgreSQL + Redis',
};

/** One autocannon run of one route. */
export interface RoundResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** Responses that answered 2xx but for someone else, or not in the expected shape. */
  mismatches: number;
  /** CPU the measured server process used per answered request, µs (all its threads; Linux only). */
  cpuPerRequest?: number;
}

export interface RouteResult {
  id: string;
  title: string;
  connections: number;
  rounds: RoundResult[];
  rps: Spread;
  p50: number;
  p99: number;
  /** Median over rounds of RoundResult.cpuPerRequest; absent for the in-process argon2 rate. */
  cpuPerRequest?: number;
  /** Per-round ratio to the bare Nest route (the app's request-path routes only). */
  xBare?: Spread;
  /** Per-round ratio to the app's own public route of the same store. */
  xPublic?: Spread;
  /** Per-round ratio to the raw argon2id verify rate (the login routes). */
  xVerify?: Spread;
  failures: number;
}

export interface ByteFigures {
  /** `Cookie: sid=…` as sent, header name included. */
  cookieHeader: number;
  /** `Authorization: Bearer …` as sent. */
  bearerHeader: number;
  /** Server-side bytes a cookie session holds: its session record (row or Redis key) plus its login row. */
  sessionLogin?: number;
  sessionRecord?: number;
  /** Server-side bytes a token login holds: its login row plus one refresh-token row. */
  tokenLogin?: number;
  refreshRecord?: number;
  loginRecord?: number;
}

export interface StoreResult {
  store: StoreId;
  label: string;
  routes: RouteResult[];
  bytes: ByteFigures;
  seconds: number;
}

export interface SoakResult {
  store: StoreId;
  seconds: number;
  warmupSeconds: number;
  requests: number;
  rps: number;
  non2xx: number;
  errors: number;
  mismatches: number;
  /** Resident set size of the service, MiB: at the end of warm-up, at the end, and the highest seen. */
  rssWarmMiB: number;
  rssEndMiB: number;
  rssPeakMiB: number;
  rssGrowth: number;
}

export interface BenchResult {
  startedAt: string;
  finishedAt: string;
  seconds: number;
  mode: 'full' | 'quick' | 'soak';
  machine: { cpus: number; node: string; loadBefore: number[]; loadAfter: number[] };
  options: { rounds: number; duration: number; warmup: number; connections: number; loginConnections: number };
  stores: StoreResult[];
  soak?: SoakResult;
}
