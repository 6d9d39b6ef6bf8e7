import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { ensurePrivateDir, restrictTree } from './private-dir.js';

/**
 * Reads a secret kept in a file, creating it with `generate()` the first time (mode 0600).
 * Used outside production, where DATA_DIR keeps what a developer would otherwise configure.
 */
export function loadOrCreateSecretFile(path: string, generate: () => string): string {
  // The folder keeps secrets: it and everything in it, a folder left by an older version
  // included, are private to the service's user.
  const dir = dirname(path);
  ensurePrivateDir(dir);
  restrictTree(dir);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const value = generate();
  try {
    // 'wx': if another process created it meanwhile, its value wins.
    writeFileSync(path, value, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(path, 'utf8');
    throw error;
  }
  chmodSync(path, 0o600);
  return value;
}

/**
 * The service's own secret: SESSION_SECRET, or (outside production, where config allows it
 * unset) one made once and kept in DATA_DIR. Signs session cookies and keys the audit trail's
 * email hashes.
 */
export function serviceSecret(configured: string | undefined, dataDir: string): string {
  return (
    configured ?? loadOrCreateSecretFile(join(dataDir, 'session-secret'), () => randomBytes(32).toString('base64url'))
  );
}
