import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT, type JWTHeaderParameters, type JWTPayload } from 'jose';
import type { AppConfig } from '../config/app-config.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import type { Role } from '../users/user.entity.js';
import { SigningKeys } from './signing-keys.js';

/** RFC 9068 media type: an access token cannot be mistaken for another kind of JWT. */
const ACCESS_TOKEN_TYPE = 'at+jwt';
/** Verified tokens remembered, so a client reusing its token skips the signature check. */
const VERIFIED_CACHE_SIZE = 10_000;
/** Header parameters that would let a token name its own key (RFC 8725 §3.10). */
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'] as const;

export interface AccessClaims {
  sub: string;
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  roles: Role[];
}

/** Signs and verifies access tokens. No database: everything needed is in the token and the keys. */
@Injectable()
export class AccessTokensService {
  private readonly jwt: AppConfig['jwt'];
  /**
   * token → its verified claims. Keyed by the whole token, signature included, so only the exact
   * bytes that passed verification hit; an entry is used only until the token's `exp` plus
   * JWT_CLOCK_TOLERANCE, as the verifier would. Revocation is checked on every request, outside
   * this cache.
   */
  private readonly verified = new Map<string, AccessClaims>();

  constructor(
    private readonly keys: SigningKeys,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.jwt = config.get('jwt', { infer: true });
  }

  get ttlSeconds(): number {
    return Math.floor(this.jwt.accessTtlMs / 1000);
  }

  async sign(subject: { userId: string; loginId: string; roles: Role[] }): Promise<{ token: string; expiresIn: number }> {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ sid: subject.loginId, roles: subject.roles })
      .setProtectedHeader({ alg: this.keys.algorithm, kid: this.keys.kid, typ: ACCESS_TOKEN_TYPE })
      .setSubject(subject.userId)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + this.ttlSeconds)
      .setIssuer(this.jwt.issuer)
      .setAudience(this.jwt.audience)
      .sign(this.keys.signingKey);
    return { token, expiresIn: this.ttlSeconds };
  }

  /** Verified claims, or a thrown error for any token that is not exactly one of ours. */
  async verify(token: string): Promise<AccessClaims> {
    const known = this.verified.get(token);
    if (known) {
      if (known.exp * 1000 + this.jwt.clockToleranceMs > Date.now()) return known;
      this.verified.delete(token);
    }
    const claims = await this.verifySignatureAndClaims(token);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, claims);
    return claims;
  }

  /** Behind the cache; specs spy on it by name to see the cache work. */
  private async verifySignatureAndClaims(token: string): Promise<AccessClaims> {
    const { payload } = await jwtVerify(token, this.resolveKey, {
      algorithms: [this.keys.algorithm],
      issuer: this.jwt.issuer,
      audience: this.jwt.audience,
      typ: ACCESS_TOKEN_TYPE,
      clockTolerance: this.jwt.clockToleranceMs / 1000,
      requiredClaims: ['sub', 'sid', 'jti', 'iat', 'exp'],
    });
    return toClaims(payload);
  }

  /** Picks the key by `kid` from our own keys only; a token never supplies or points to one. */
  private readonly resolveKey = (header: JWTHeaderParameters) => {
    if (FORBIDDEN_HEADERS.some((name) => name in header)) throw new Error('Token names its own key');
    const key = this.keys.keyFor(header.kid);
    if (!key) throw new Error('Unknown key id');
    return key;
  };
}

function toClaims(payload: JWTPayload): AccessClaims {
  const { sub, sid, jti, iat, exp, roles } = payload as JWTPayload & { sid?: unknown; roles?: unknown };
  if (typeof sid !== 'string' || !Array.isArray(roles) || !roles.every((role) => typeof role === 'string')) {
    throw new Error('Malformed claims');
  }
  return { sub: sub!, sid, jti: jti!, iat: iat!, exp: exp!, roles: roles as Role[] };
}
