import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Creates `dir` (and missing parents) for the service's user only, and tightens it if it exists. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, lstatSync(dir).mode & 0o700);
}

/**
 * Takes every group/other permission bit off `dir` and everything under it. PGlite writes its
 * files 0666 whatever the umask; the 0700 folder above them keeps them out of reach meanwhile.
 */
export function restrictTree(dir: string): void {
  const stat = lstatSync(dir, { throwIfNoEntry: false });
  // Symbolic links have no modes of their own on Linux; chmod would follow them.
  if (!stat || stat.isSymbolicLink()) return;
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, stat.mode & 0o700);
  if (stat.isDirectory()) for (const entry of readdirSync(dir)) restrictTree(join(dir, entry));
}
