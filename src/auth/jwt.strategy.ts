import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import type { KeyObject } from 'node:crypto';
import { Strategy } from 'passport-jwt';
import { AccessTokensService, type AccessClaims } from '../tokens/access-tokens.service.js';
import { RevocationListService } from '../tokens/revocation-list.service.js';
import { AuthMode } from '../auth-decorators/auth-mode.js';
import type { AuthUser } from '../auth-decorators/auth-user.js';
import { VerifiedTokens } from './verified-tokens.js';

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i; // RFC 7235: the scheme is case-insensitive

/** The access token of `Authorization: Bearer …` (RFC 6750 §2.1), or null. */
export function bearerToken(request: Request): string | null {
  const header = request.headers.authorization;
  return header === undefined ? null : (BEARER.exec(header)?.[1] ?? null);
}

type KeyCallback = (error: Error | null, key?: KeyObject) => void;

/**
 * The JWT path, as a passport-jwt strategy: jsonwebtoken checks the signature with the algorithm
 * pinned, `exp`/`nbf` with JWT_CLOCK_TOLERANCE, `iss` and `aud`; the key comes from our keys by
 * `kid` only, after the header checks jsonwebtoken does not make (AccessTokensService.keyForHeader).
 * A cache of verified tokens stands in front of all that; the in-memory revocation list is
 * checked after it on every request, cached or not. No database.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, AuthMode.Jwt) {
  private readonly verified: VerifiedTokens;

  constructor(
    private readonly tokens: AccessTokensService,
    private readonly revocations: RevocationListService,
  ) {
    const { algorithm, issuer, audience, clockToleranceMs } = tokens.rules;
    // jsonwebtoken calls a function given as the key with the decoded header: the one place to
    // look at the header before any signature work. passport-jwt's types want a string there.
    const keyForHeader = (header: unknown, callback: KeyCallback) => {
      const key = tokens.keyForHeader(header);
      if (key instanceof Error) callback(key);
      else callback(null, key);
    };
    super({
      jwtFromRequest: bearerToken,
      secretOrKeyProvider: (_request: unknown, _token: unknown, done: (error: Error | null, key: string) => void) =>
        done(null, keyForHeader as unknown as string),
      algorithms: [algorithm],
      issuer,
      audience,
      jsonWebTokenOptions: { clockTolerance: clockToleranceMs / 1000 },
      passReqToCallback: true,
    });
    this.verified = new VerifiedTokens(clockToleranceMs);
  }

  override authenticate(request: Request, options?: object): void {
    const token = bearerToken(request);
    const known = token === null ? undefined : this.verified.get(token);
    if (!known) return this.verifySignatureAndClaims(request, options);
    const user = this.principal(known);
    if (user) this.success(user);
    else this.fail(401);
  }

  /** passport-jwt's own authenticate, behind the cache; specs spy on it by name to see the cache work. */
  private verifySignatureAndClaims(request: Request, options?: object): void {
    super.authenticate(request, options);
  }

  /** Called by passport-jwt with a token whose signature and registered claims passed. */
  validate(request: Request, payload: unknown): AuthUser | false {
    const claims = this.tokens.claimsOf(payload);
    if (!claims) return false;
    this.verified.remember(bearerToken(request)!, claims);
    return this.principal(claims);
  }

  private principal(claims: AccessClaims): AuthUser | false {
    if (this.revocations.isRevoked(claims.sid)) return false;
    return {
      id: claims.sub,
      roles: claims.roles,
      loginId: claims.sid,
      via: AuthMode.Jwt,
      ...(claims.auth_time === undefined ? {} : { authTime: claims.auth_time }),
    };
  }
}
