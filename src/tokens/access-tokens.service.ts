import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import type { AppConfig, JwtAlgorithm } from '../config/app-config.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import type { Role } from '../users/user.entity.js';
import { SigningKeys } from './signing-keys.js';

/** RFC 9068 media type: an access token cannot be mistaken for another kind of JWT. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
/** Header parameters that would let a token name its own key (RFC 8725 §3.10). */
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'] as const;

export interface AccessClaims {
  sub: string;
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  roles: Role[];
  /** When the login last proved the password (RFC 9470 `auth_time`, seconds); absent in older tokens. */
  auth_time?: number;
  /** How (RFC 8176): `["pwd"]`, or `["pwd","otp"]` after a second factor. */
  amr?: string[];
}

/** The login an access token speaks for, with its last proof. */
export interface AccessSubject {
  userId: string;
  loginId: string;
  roles: Role[];
  /** The login's last proof; now when not given. */
  authenticatedAt?: Date;
  mfa?: boolean;
}

/** What a verifier of our access tokens pins; the passport-jwt strategy in auth/ applies it. */
export interface AccessTokenRules {
  algorithm: JwtAlgorithm;
  issuer: string;
  audience: string;
  clockToleranceMs: number;
}

/**
 * Signs access tokens (JwtService, jsonwebtoken underneath) and owns the rules a token of ours
 * must meet: the key by `kid` from our keys only, the header, the claims. No database.
 */
@Injectable()
export class AccessTokensService {
  readonly rules: AccessTokenRules;
  private readonly signer: JwtService;
  private readonly ttl: number;

  constructor(
    private readonly keys: SigningKeys,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    const jwt: AppConfig['jwt'] = config.get('jwt', { infer: true });
    this.rules = {
      algorithm: keys.algorithm,
      issuer: jwt.issuer,
      audience: jwt.audience,
      clockToleranceMs: jwt.clockToleranceMs,
    };
    this.ttl = Math.floor(jwt.accessTtlMs / 1000);
    // Built here rather than through JwtModule: its options come from the keys loaded above.
    this.signer = new JwtService({
      privateKey: keys.signingKey,
      signOptions: {
        algorithm: keys.algorithm,
        keyid: keys.kid,
        header: { alg: keys.algorithm, typ: ACCESS_TOKEN_TYPE },
        issuer: jwt.issuer,
        audience: jwt.audience,
        expiresIn: this.ttl,
      },
    });
  }

  get ttlSeconds(): number {
    return this.ttl;
  }

  async sign(subject: AccessSubject): Promise<{ token: string; expiresIn: number }> {
    const claims = {
      sid: subject.loginId,
      roles: subject.roles,
      auth_time: Math.floor((subject.authenticatedAt?.getTime() ?? Date.now()) / 1000),
      amr: subject.mfa ? ['pwd', 'otp'] : ['pwd'],
    };
    const token = await this.signer.signAsync(claims, { subject: subject.userId, jwtid: randomUUID() });
    return { token, expiresIn: this.ttl };
  }

  /**
   * The verification key for a token's header, or why there is none. jsonwebtoken checks neither
   * `typ` nor the headers below, so they are checked here, before any signature work: a token
   * never supplies or points to its key (RFC 8725 §3.10), declares no extension we would have to
   * understand (`crit`, RFC 7515 §4.1.11), and is typed as an access token (RFC 9068 §4).
   */
  keyForHeader(header: unknown): KeyObject | Error {
    // jsonwebtoken passes on any JSON that decodes: a string or a number would make `in` throw.
    if (typeof header !== 'object' || header === null || Array.isArray(header)) return new Error('Malformed header');
    if (FORBIDDEN_HEADERS.some((name) => name in header)) return new Error('Token names its own key');
    if ('crit' in header) return new Error('Token declares critical extensions');
    const { typ, kid } = header as Record<string, unknown>;
    if (typeof typ !== 'string' || mediaType(typ) !== ACCESS_TOKEN_TYPE) return new Error('Not an access token');
    return this.keys.keyFor(kid) ?? new Error('Unknown key id');
  }

  /**
   * The claims of a token whose signature and registered claims were verified, or undefined when
   * one is missing or of the wrong type (jsonwebtoken requires none of them).
   */
  claimsOf(payload: unknown): AccessClaims | undefined {
    if (typeof payload !== 'object' || payload === null) return undefined;
    const { sub, sid, jti, iat, exp, roles, auth_time, amr } = payload as Record<string, unknown>;
    const strings = [sub, sid, jti].every((value) => typeof value === 'string' && value !== '');
    const times = [iat, exp].every((value) => typeof value === 'number' && Number.isFinite(value));
    if (!strings || !times || !Array.isArray(roles) || !roles.every((role) => typeof role === 'string'))
      return undefined;
    const claims = { sub, sid, jti, iat, exp, roles } as AccessClaims;
    // Optional: tokens signed before step-up existed have neither; they are simply never fresh.
    if (typeof auth_time === 'number' && Number.isFinite(auth_time)) claims.auth_time = auth_time;
    if (Array.isArray(amr) && amr.every((method) => typeof method === 'string')) claims.amr = amr;
    return claims;
  }
}

/** RFC 7515 §4.1.9: a media type, case-insensitive, whose `application/` prefix may be left out (as jose reads it). */
function mediaType(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}
