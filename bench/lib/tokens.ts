/** Access tokens minted by the benchmark with the service's own development key, one per request. */
import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** The payload of a JWT, unverified: the benchmark reads its own tokens back (subject, login id). */
export function decodePayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (part === undefined) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function decodeHeader(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/**
 * Signs copies of a token the service issued (same header, subject, login id, roles, issuer and
 * audience) with a fresh `jti`, `iat` and `exp` each, so every request brings a token the
 * service has never verified. The key is the ES256 key the service keeps in DATA_DIR outside
 * production (src/tokens/signing-keys.ts). Signed with node:crypto directly (jose's SignJWT is
 * asynchronous, and autocannon builds each request synchronously).
 */
export class TokenMinter {
  private readonly key: KeyObject;
  /** Tokens minted ahead, by the token they copy: signing is kept out of the measured seconds. */
  private readonly ready = new Map<string, string[]>();
  /** Tokens a run needed beyond those minted ahead (signed while measuring). */
  minted = 0;

  constructor(dataDir: string) {
    this.key = createPrivateKey(readFileSync(join(dataDir, 'jwt-private.pem')));
  }

  /**
   * Mints `count` copies of each token ahead of a run. The load generator shares the machine's
   * cores with the service: an ES256 signature per request, made during the run, would take CPU
   * from the service being measured.
   */
  prepare(issued: string[], count: number): void {
    for (const token of issued) {
      const queue = this.ready.get(token) ?? [];
      while (queue.length < count) queue.push(this.sign(token));
      this.ready.set(token, queue);
    }
  }

  /** A token made ahead, or made now when none is left; never one handed out before. */
  next(issued: string): string {
    const token = this.ready.get(issued)?.pop();
    if (token !== undefined) return token;
    this.minted++;
    return this.sign(issued);
  }

  private sign(issued: string): string {
    const header = decodeHeader(issued);
    if (header.alg !== 'ES256')
      throw new Error(`only ES256 tokens can be minted (the service signs ${String(header.alg)})`);
    const claims = decodePayload(issued);
    const now = Math.floor(Date.now() / 1000);
    const payload = { ...claims, jti: randomUUID(), iat: now, exp: now + 600 };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    const signature = sign('sha256', Buffer.from(input), { key: this.key, dsaEncoding: 'ieee-p1363' });
    return `${input}.${signature.toString('base64url')}`;
  }
}
