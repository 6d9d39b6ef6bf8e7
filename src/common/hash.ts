import { createHash } from 'node:crypto';

/** SHA-256 as hex: how session ids, refresh tokens and lockout keys are stored or keyed. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
