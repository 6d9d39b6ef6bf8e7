import { describe, expect, it } from '@jest/globals';
import { passingStore, result, route } from './fixtures.js';
import {
  formatCount,
  README_END,
  README_START,
  renderMarkdown,
  replaceBetweenMarkers,
  routeTable,
  summaryLine,
} from './render.js';
import { evaluateTargets } from './targets.js';

describe('benchmark tables', () => {
  it('groups thousands with a space', () => {
    expect(formatCount(6708.4)).toBe('6 708');
    expect(formatCount(1234567)).toBe('1 234 567');
    expect(formatCount(94)).toBe('94');
  });

  it('shows the median with the spread over rounds, and both ratios', () => {
    const store = passingStore('redis');
    store.routes = [
      {
        ...route('session', {
          xBare: { median: 0.61, min: 0.6, max: 0.63 },
          xPublic: { median: 0.72, min: 0.7, max: 0.75 },
        }),
        title: '`examples/session-only`',
        rps: { median: 3714, min: 3600, max: 3801 },
        cpuPerRequest: 1234.4,
      },
      { ...route('argon2'), title: 'raw argon2id verify' },
    ];
    const table = routeTable(store);
    expect(table).toContain(
      '| `examples/session-only` | 50 | 3 714 (3 600–3 801) | 10 | 20 | 1 234 | 0.61 (0.60–0.63) | 0.72 (0.70–0.75) |  | 0 |',
    );
    // measured in-process: no server, no CPU figure
    expect(table).toContain('| raw argon2id verify | 50 | 1 000 |  |  |  |  |  |  | 0 |');
  });

  it('renders each store, the byte figures and a target table that says FAIL', () => {
    const slow = passingStore('postgres', {
      session: route('session', { xPublic: { median: 0.5, min: 0.5, max: 0.5 } }),
    });
    const run = result([slow]);
    const markdown = renderMarkdown(run, evaluateTargets(run));
    expect(markdown).toContain('## PostgreSQL\n');
    expect(markdown).toContain('| PostgreSQL | 100 | 500 |');
    expect(markdown).toMatch(/\| session-only ≥ 0\.70 × public \| PostgreSQL \| 0\.50 \| ≥ 0\.70 × \| \*\*FAIL\*\* \|/);
    expect(markdown).toContain('load average before 0.10 0.20 0.30, after 1.90 1.50 0.90');
  });

  it('describes a soak as mixed traffic, not as rounds', () => {
    expect(summaryLine(result([]))).toContain(
      '3 alternating round(s) of 4 s per route, autocannon 50 connections (logins 10); 2 CPUs',
    );
    const soak = summaryLine(result([], { mode: 'soak' }));
    expect(soak).toContain('mixed traffic, autocannon 50 connections; 2 CPUs');
    expect(soak).not.toContain('round');
  });

  it('replaces only what sits between the README markers', () => {
    const readme = `# Title\n\nbefore\n${README_START}\nold table\n${README_END}\nafter\n`;
    const updated = replaceBetweenMarkers(readme, '| new |\n');
    expect(updated).toBe(`# Title\n\nbefore\n${README_START}\n| new |\n${README_END}\nafter\n`);
    expect(replaceBetweenMarkers(updated, '| newer |')).toContain(`${README_START}\n| newer |\n${README_END}`);
  });

  it('refuses a README without both markers in order', () => {
    expect(() => replaceBetweenMarkers('no markers', 'x')).toThrow(/bench:start/);
    expect(() => replaceBetweenMarkers(`${README_END}\n${README_START}`, 'x')).toThrow(/bench:start/);
  });
});
