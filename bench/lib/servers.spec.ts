import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { cpuMicros } from './servers.js';

describe('cpuMicros', () => {
  it("counts a process's CPU, the time of its ended threads and its system time included", async () => {
    // A child that spins for 300 ms of CPU in a worker thread that then ends, and exits only when told.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const { Worker } = require('node:worker_threads');
         new Worker('const end = Date.now() + 300; while (Date.now() < end);', { eval: true })
           .on('exit', () => console.log('done'));
         process.stdin.resume();`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      const used = cpuMicros(child.pid!);
      expect(used).toBeGreaterThanOrEqual(250_000);
      expect(used).toBeLessThan(30_000_000);
    } finally {
      child.kill();
    }
  });

  it('is undefined for a process that does not exist', () => {
    expect(cpuMicros(2 ** 22 + 1)).toBeUndefined();
  });
});
