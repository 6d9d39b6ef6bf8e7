import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Reads a secret kept in a file, creating it with `generate()` the first time (mode 0600).
 * Used outside production, where DATA_DIR keeps what a developer would otherwise configure.
 */
export function loadOrCreateSecretFile(path: string, generate: () => string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(path), { recursive: true });
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
