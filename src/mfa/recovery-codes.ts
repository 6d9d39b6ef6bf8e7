import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../common/hash.js';

export const RECOVERY_CODE_COUNT = 10;
// Crockford-style alphabet without look-alikes (0/O, 1/I/L): easy to copy from paper.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/**
 * A recovery code: 16 characters of a 31-letter alphabet (≈ 79 bits), shown as `XXXX-XXXX-XXXX-XXXX`.
 * That much entropy makes a plain SHA-256 a safe store (no guessing from the hash), and it lets
 * a code be found by its hash in one indexed lookup — a slow password hash would allow neither.
 */
export function newRecoveryCode(): string {
  const bytes = randomBytes(32);
  let code = '';
  // Rejection sampling: only bytes below the largest multiple of the alphabet size, no bias.
  const limit = 256 - (256 % ALPHABET.length);
  for (const byte of bytes) {
    if (code.length === 16) break;
    if (byte < limit) code += ALPHABET[byte % ALPHABET.length];
  }
  if (code.length < 16) return newRecoveryCode();
  return code.match(/.{4}/g)!.join('-');
}

/** Case, spaces and dashes as typed do not matter. */
export function normalizeRecoveryCode(code: string): string | null {
  const compact = code.toUpperCase().replace(/[\s-]/g, '');
  return compact.length === 16 && [...compact].every((c) => ALPHABET.includes(c)) ? compact : null;
}

export function hashRecoveryCode(normalized: string): string {
  return sha256Hex(`recovery:${normalized}`);
}
