/** Markdown for a benchmark result: the tables in bench/results/latest.md and the README. */
import type { BenchResult, RouteResult, StoreResult } from './result.js';
import type { Spread } from './stats.js';
import type { TargetOutcome } from './targets.js';

export const README_START = '<!-- bench:start -->';
export const README_END = '<!-- bench:end -->';

/** 3714 → "3 714" (a thin grouping that reads the same in every locale). */
export function formatCount(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

function formatRatio(ratio: Spread | undefined): string {
  if (!ratio) return '';
  const middle = ratio.median.toFixed(2);
  return ratio.min === ratio.max ? middle : `${middle} (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`;
}

function formatRate(route: RouteResult): string {
  const { median, min, max } = route.rps;
  return min === max ? formatCount(median) : `${formatCount(median)} (${formatCount(min)}–${formatCount(max)})`;
}

function formatMs(value: number): string {
  return value < 10 ? value.toFixed(1) : String(Math.round(value));
}

/** One store's routes: req/s median (min–max over rounds), latency, ratios. */
export function routeTable(store: StoreResult): string {
  const lines = [
    `| route | conns | req/s (min–max) | p50 ms | p99 ms | server CPU µs/req | × bare Nest | × own public | × argon2 verify | failed |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const route of store.routes) {
    lines.push(
      `| ${route.title} | ${route.connections} | ${formatRate(route)} | ${route.id === 'argon2' ? '' : formatMs(route.p50)} | ${
        route.id === 'argon2' ? '' : formatMs(route.p99)
      } | ${route.cpuPerRequest === undefined ? '' : formatCount(route.cpuPerRequest)} | ${formatRatio(route.xBare)} | ${formatRatio(route.xPublic)} | ${formatRatio(route.xVerify)} | ${route.failures} |`,
    );
  }
  return lines.join('\n');
}

/** What a login costs on the wire (per request) and in the store (per login), per store. */
export function bytesTable(stores: readonly StoreResult[]): string {
  const show = (value: number | undefined) => (value === undefined ? 'n/a' : formatCount(value));
  const lines = [
    '| store | cookie header | bearer header | session record | token: refresh row | login row | per session login | per token login |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const { label, bytes } of stores) {
    lines.push(
      `| ${label} | ${show(bytes.cookieHeader)} | ${show(bytes.bearerHeader)} | ${show(bytes.sessionRecord)} | ${show(bytes.refreshRecord)} | ${show(
        bytes.loginRecord,
      )} | ${show(bytes.sessionLogin)} | ${show(bytes.tokenLogin)} |`,
    );
  }
  return lines.join('\n');
}

export function targetTable(outcomes: readonly TargetOutcome[]): string {
  const lines = ['| target | store | measured | | result |', '|---|---|---:|---|---|'];
  for (const outcome of outcomes) {
    const value =
      outcome.value === undefined
        ? 'not measured'
        : outcome.unit === '×'
          ? outcome.value.toFixed(2)
          : formatCount(outcome.value);
    const bound =
      outcome.unit === 'count'
        ? `= ${outcome.threshold}`
        : `${outcome.direction === 'min' ? '≥' : '<'} ${outcome.unit === '×' ? outcome.threshold.toFixed(2) : outcome.threshold} ${outcome.unit}`;
    lines.push(
      `| ${outcome.name} | ${outcome.store ?? ''} | ${value} | ${bound} | ${outcome.pass ? 'pass' : '**FAIL**'} |`,
    );
  }
  return lines.join('\n');
}

export function summaryLine(result: BenchResult): string {
  const { options, machine } = result;
  const load = (values: number[]) => values.map((v) => v.toFixed(2)).join(' ');
  return (
    `${result.mode} run, ${result.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${Math.round(result.seconds)} s; ` +
    (result.mode === 'soak'
      ? `mixed traffic, autocannon ${options.connections} connections; `
      : `${options.rounds} alternating round(s) of ${options.duration} s per route, autocannon ${options.connections} connections (logins ${options.loginConnections}); `) +
    `${machine.cpus} CPUs, Node ${machine.node}; load average before ${load(machine.loadBefore)}, after ${load(
      machine.loadAfter,
    )}.`
  );
}

/** The whole report: one table per store, the byte figures, the soak, and the targets when checked. */
export function renderMarkdown(result: BenchResult, outcomes: readonly TargetOutcome[]): string {
  const parts = [`# Benchmark\n`, summaryLine(result), ''];
  for (const store of result.stores) {
    parts.push(`## ${store.label}\n`, routeTable(store), '');
  }
  if (result.stores.length > 0) parts.push('## Bytes per credential and per login\n', bytesTable(result.stores), '');
  if (result.soak) {
    const s = result.soak;
    parts.push(
      `## Soak (${s.store}, ${s.seconds} s mixed traffic)\n`,
      `${formatCount(s.requests)} requests (${formatCount(s.rps)} req/s), ${s.non2xx} non-2xx, ${s.errors} socket errors, ${s.mismatches} wrong-user answers; ` +
        `resident memory ${s.rssWarmMiB.toFixed(1)} MiB after ${s.warmupSeconds} s warm-up → ${s.rssEndMiB.toFixed(1)} MiB at the end ` +
        `(${(s.rssGrowth * 100).toFixed(1)} %, peak ${s.rssPeakMiB.toFixed(1)} MiB).`,
      '',
    );
  }
  if (outcomes.length > 0) parts.push('## Targets\n', targetTable(outcomes), '');
  return parts.join('\n');
}

/** Replaces what sits between the README's bench markers; refuses a README without both, in order. */
export function replaceBetweenMarkers(document: string, content: string): string {
  const start = document.indexOf(README_START);
  const end = document.indexOf(README_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`the README needs ${README_START} followed by ${README_END} around the benchmark table`);
  }
  return `${document.slice(0, start + README_START.length)}\n${content.trim()}\n${document.slice(end)}`;
}
