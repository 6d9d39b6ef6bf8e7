import type { AccessClaims } from '../tokens/access-tokens.service.js';

/** Verified tokens remembered, so a client reusing its token skips the signature check. */
const CAPACITY = 10_000;

/**
 * token → its verified claims. Keyed by the whole token, signature included, so only the exact
 * bytes that passed verification hit; an entry is used only until the token's `exp` plus
 * JWT_CLOCK_TOLERANCE, as the verifier would. Revocation is checked on every request, outside
 * this cache.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, AccessClaims>();

  constructor(private readonly clockToleranceMs: number) {}

  get(token: string): AccessClaims | undefined {
    const known = this.entries.get(token);
    if (!known) return undefined;
    if (known.exp * 1000 + this.clockToleranceMs > Date.now()) return known;
    this.entries.delete(token);
    return undefined;
  }

  remember(token: string, claims: AccessClaims): void {
    // Oldest first out (a Map keeps insertion order): bounded memory whatever clients send.
    if (this.entries.size >= CAPACITY) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, claims);
  }
}
