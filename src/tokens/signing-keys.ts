import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { join } from 'node:path';
import type { AppConfig, JwtAlgorithm } from '../config/app-config.js';
import { loadOrCreateSecretFile } from '../common/secret-file.js';
import { ConfigError } from '../config/env.schema.js';

export interface VerificationKey {
  kid: string;
  key: KeyObject;
}

/** A public JWK as /.well-known/jwks.json lists it. */
export type PublicJwk = JsonWebKey & { kid: string; alg: 'ES256'; use: 'sig' };

/**
 * The keys tokens are signed and verified with, imported once as key objects: jsonwebtoken
 * re-imports a PEM string on every call, which costs most of a verification. ES256: the current
 * pair plus the public keys of retired pairs, each known by its RFC 7638 thumbprint (`kid`).
 * HS256: one shared secret.
 */
export class SigningKeys {
  private readonly byKid: Map<string, KeyObject>;

  private constructor(
    readonly algorithm: JwtAlgorithm,
    readonly kid: string,
    readonly signingKey: KeyObject,
    readonly verificationKeys: VerificationKey[],
    /** Public JWKs for /.well-known/jwks.json (empty for HS256: a secret is never published). */
    readonly jwks: PublicJwk[],
  ) {
    this.byKid = new Map(verificationKeys.map(({ kid, key }) => [kid, key]));
  }

  /** One of our keys, by id; anything but a known string id (a number, an array…) finds none. */
  keyFor(kid: unknown): KeyObject | undefined {
    return typeof kid === 'string' ? this.byKid.get(kid) : undefined;
  }

  static load(config: Pick<AppConfig, 'jwt' | 'app'>): SigningKeys {
    const { jwt } = config;
    if (jwt.algorithm === 'HS256') {
      const secret = createSecretKey(Buffer.from(jwt.secret ?? ''));
      const kid = thumbprint(secret.export({ format: 'jwk' }));
      return new SigningKeys('HS256', kid, secret, [{ kid, key: secret }], []);
    }
    const privatePem =
      jwt.privateKey ??
      // Outside production (config refuses production without keys): one pair, made once.
      loadOrCreateSecretFile(join(config.app.dataDir, 'jwt-private.pem'), () =>
        generateKeyPairSync('ec', { namedCurve: 'P-256' })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
      );
    const signingKey = createPrivateKey(privatePem);
    const current = createPublicKey(jwt.publicKey ?? signingKey);
    const derived = createPublicKey(signingKey).export({ format: 'der', type: 'spki' });
    if (!derived.equals(current.export({ format: 'der', type: 'spki' }))) {
      throw new ConfigError('JWT_PUBLIC_KEY', 'is not the public key of JWT_PRIVATE_KEY');
    }
    const publicKeys = [current, ...jwt.previousPublicKeys.map((pem) => createPublicKey(pem))];
    const verificationKeys: VerificationKey[] = [];
    const jwks: PublicJwk[] = [];
    for (const key of publicKeys) {
      if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        throw new ConfigError(
          key === current ? 'JWT_PUBLIC_KEY' : 'JWT_PREVIOUS_PUBLIC_KEYS',
          'must hold EC P-256 keys for ES256',
        );
      }
      const jwk = key.export({ format: 'jwk' });
      const kid = thumbprint(jwk);
      if (verificationKeys.some((known) => known.kid === kid)) continue;
      verificationKeys.push({ kid, key });
      jwks.push({ ...jwk, kid, alg: 'ES256', use: 'sig' });
    }
    return new SigningKeys('ES256', verificationKeys[0]!.kid, signingKey, verificationKeys, jwks);
  }
}

/**
 * RFC 7638 thumbprint: SHA-256 of the key's required members in lexicographic order, without
 * whitespace. Written out with node:crypto (the jose implementation gives the same value, which
 * the spec checks) so that no second JWT library sits on the signing path.
 */
function thumbprint(jwk: JsonWebKey): string {
  const required = jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { k: jwk.k, kty: jwk.kty };
  return createHash('sha256').update(JSON.stringify(required)).digest('base64url');
}
