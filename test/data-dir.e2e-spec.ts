import { describe, expect, it } from '@jest/globals';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser, loginAs } from './support/kit.js';
import { createTestApp } from './support/test-app.js';
import { createTestDatabase } from './support/test-database.js';

/** Every path under `dir` (itself included) that group or others may read, write or enter. */
function openToOthers(dir: string): { checked: number; open: string[] } {
  const open: string[] = [];
  let checked = 0;
  const walk = (path: string) => {
    const stat = lstatSync(path);
    checked++;
    if (!stat.isSymbolicLink() && (stat.mode & 0o077) !== 0) open.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
  };
  walk(dir);
  return { checked, open };
}

describe('DATA_DIR', () => {
  it('holds nothing that group or others can reach, while the app runs and after it stops', async () => {
    // Embedded: the database's own folder. On PostgreSQL, DATA_DIR (made by the app) still keeps
    // the generated keys.
    const db = await createTestDatabase({ persistent: true });
    const parent = mkdtempSync(join(tmpdir(), 'nda-private-'));
    const dataDir = db.url ? join(parent, 'data') : db.dataDir;
    try {
      const t = await createTestApp({ db, env: { DATA_DIR: dataDir } });
      try {
        const user = await createUser(t);
        await loginAs(t, user, 'session');
        await loginAs(t, user, 'jwt');
        const running = openToOthers(dataDir);
        expect(running.checked).toBeGreaterThan(1);
        expect(running.open).toEqual([]);
      } finally {
        await t.close();
      }
      const stopped = openToOthers(dataDir);
      expect(stopped.checked).toBeGreaterThan(1);
      expect(stopped.open).toEqual([]);
    } finally {
      await db.dispose();
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('tightens a folder left by an older version: its secret, key and other files too', async () => {
    const db = await createTestDatabase({ persistent: true });
    const parent = mkdtempSync(join(tmpdir(), 'nda-private-'));
    const dataDir = db.url ? join(parent, 'data') : db.dataDir;
    try {
      mkdirSync(dataDir, { recursive: true, mode: 0o755 });
      chmodSync(dataDir, 0o755);
      for (const [name, content] of [
        ['session-secret', 'a-secret-left-by-an-older-version-000000'],
        ['.keep', ''],
      ] as const) {
        writeFileSync(join(dataDir, name), content, { mode: 0o644 });
        chmodSync(join(dataDir, name), 0o644);
      }
      // Without SESSION_SECRET the app reads the secret kept in the folder.
      const t = await createTestApp({ db, env: { DATA_DIR: dataDir, SESSION_SECRET: '' } });
      try {
        expect(openToOthers(dataDir).open).toEqual([]);
      } finally {
        await t.close();
      }
    } finally {
      await db.dispose();
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
