import { afterEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLockedError, lockDataDir } from './data-dir-lock.js';

describe('lockDataDir', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nda-lock-'));
  afterEach(() => rmSync(join(dir, '.lock'), { force: true }));

  it('writes its pid and removes the lock on release', () => {
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, '.lock'), 'utf8')).toBe(String(process.pid));
    release();
    expect(existsSync(join(dir, '.lock'))).toBe(false);
  });

  it('refuses a folder locked by another live process', () => {
    // pid 1 always runs; the lock is not ours.
    writeFileSync(join(dir, '.lock'), '1');
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    expect(readFileSync(join(dir, '.lock'), 'utf8')).toBe('1');
  });

  it('takes over a lock left by a process that no longer runs', () => {
    writeFileSync(join(dir, '.lock'), '2147483646');
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, '.lock'), 'utf8')).toBe(String(process.pid));
    release();
  });

  it('creates the folder when it does not exist', () => {
    const nested = join(dir, 'a', 'b');
    lockDataDir(nested)();
    expect(existsSync(nested)).toBe(true);
  });
});
