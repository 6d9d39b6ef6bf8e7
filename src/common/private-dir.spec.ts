import { afterAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePrivateDir, restrictTree } from './private-dir.js';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('private folders', () => {
  const root = mkdtempSync(join(tmpdir(), 'nda-private-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('creates a folder 0700 and tightens an existing one', () => {
    const created = join(root, 'new', 'data');
    ensurePrivateDir(created);
    expect(modeOf(created)).toBe(0o700);
    const existing = join(root, 'existing');
    mkdirSync(existing);
    chmodSync(existing, 0o755);
    ensurePrivateDir(existing);
    expect(modeOf(existing)).toBe(0o700);
  });

  it('takes the group and other bits off every file and folder below, keeping the owner’s', () => {
    const dir = join(root, 'pgdata');
    mkdirSync(join(dir, 'base', '1'), { recursive: true });
    writeFileSync(join(dir, 'PG_VERSION'), '18');
    writeFileSync(join(dir, 'base', '1', '1259'), '');
    writeFileSync(join(dir, 'postmaster.opts'), '');
    for (const path of [
      dir,
      join(dir, 'base'),
      join(dir, 'base', '1'),
      join(dir, 'PG_VERSION'),
      join(dir, 'base', '1', '1259'),
    ])
      chmodSync(path, 0o777);
    chmodSync(join(dir, 'postmaster.opts'), 0o644);

    restrictTree(dir);

    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(join(dir, 'base', '1'))).toBe(0o700);
    expect(modeOf(join(dir, 'base', '1', '1259'))).toBe(0o700);
    expect(modeOf(join(dir, 'PG_VERSION'))).toBe(0o700);
    expect(modeOf(join(dir, 'postmaster.opts'))).toBe(0o600);
  });
});
