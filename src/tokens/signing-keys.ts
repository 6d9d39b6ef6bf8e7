import { createPrivateKey, createPublicKey, createSecretKey, generateKeyPairSync, type KeyObject, type webcrypto } from 'node:crypto';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, importJWK, type JWK } from 'jose';
import type { AppConfig, JwtAlgorithm } from '../config/app-config.js';
import { loadOrCreateSecretFile } from '../common/secret-file.js';
import { ConfigError } from '../config/env.schema.js';

export interface VerificationKey {
  kid: string;
  key: KeyObject;
}

/** What jose verifies with fastest: a WebCrypto key made once (a KeyObject is converted per call). */
type VerifyingKey = webcrypto.CryptoKey | Uint8Array;

/**
 * The keys tokens are signed and verified with, imported once as key objects (re-importing a
 * PEM per request costs most of a verification). ES256: the current pair plus the public keys
 * of retired pairs, each known by its RFC 7638 thumbprint (`kid`). HS256: one shared secret.
 */
export class SigningKeys {
  private byKid = new Map<string, VerifyingKey>();

  private constructor(
    readonly algorithm: JwtAlgorithm,
    readonly kid: string,
    readonly signingKey: KeyObject,
    readonly verificationKeys: VerificationKey[],
    /** Public JWKs for /.well-known/jwks.json (empty for HS256: a secret is never published). */
    readonly jwks: JWK[],
  ) {}

  keyFor(kid: string | undefined): VerifyingKey | undefined {
    return kid === undefined ? undefined : this.byKid.get(kid);
  }

  private async importVerifyingKeys(): Promise<this> {
    for (const { kid, key } of this.verificationKeys) {
      const jwk = await exportJWK(key);
      this.byKid.set(kid, await importJWK({ ...jwk, ext: false }, this.algorithm));
    }
    return this;
  }

  static async load(config: Pick<AppConfig, 'jwt' | 'app'>): Promise<SigningKeys> {
    const { jwt } = config;
    if (jwt.algorithm === 'HS256') {
      const secret = createSecretKey(Buffer.from(jwt.secret ?? ''));
      const kid = await calculateJwkThumbprint(await exportJWK(secret));
      return new SigningKeys('HS256', kid, secret, [{ kid, key: secret }], []).importVerifyingKeys();
    }
    const privatePem =
      jwt.privateKey ??
      // Outside production (config refuses production without keys): one pair, made once.
      loadOrCreateSecretFile(join(config.app.dataDir, 'jwt-private.pem'), () =>
        generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      );
    const signingKey = createPrivateKey(privatePem);
    const current = createPublicKey(jwt.publicKey ?? signingKey);
    const derived = createPublicKey(signingKey).export({ format: 'der', type: 'spki' });
    if (!derived.equals(current.export({ format: 'der', type: 'spki' }))) {
      throw new ConfigError('JWT_PUBLIC_KEY', 'is not the public key of JWT_PRIVATE_KEY');
    }
    const publicKeys = [current, ...jwt.previousPublicKeys.map((pem) => createPublicKey(pem))];
    const verificationKeys: VerificationKey[] = [];
    const jwks: JWK[] = [];
    for (const key of publicKeys) {
      if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        throw new ConfigError(key === current ? 'JWT_PUBLIC_KEY' : 'JWT_PREVIOUS_PUBLIC_KEYS', 'must hold EC P-256 keys for ES256');
      }
      const jwk = await exportJWK(key);
      const kid = await calculateJwkThumbprint(jwk);
      if (verificationKeys.some((known) => known.kid === kid)) continue;
      verificationKeys.push({ kid, key });
      jwks.push({ ...jwk, kid, alg: 'ES256', use: 'sig' });
    }
    return new SigningKeys('ES256', verificationKeys[0]!.kid, signingKey, verificationKeys, jwks).importVerifyingKeys();
  }
}
