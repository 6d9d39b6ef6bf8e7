// Unit-test fixture (excluded from the build): a real ES256 configuration and the services on it.
import { generateKeyPairSync } from 'node:crypto';
import type { AppConfig } from '../config/app-config.js';
import type { AppConfigService } from '../config/config.module.js';
import { AccessTokensService } from './access-tokens.service.js';
import { SigningKeys } from './signing-keys.js';

export function jwtTestConfig(accessTtlMs = 900_000): AppConfig['jwt'] {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    algorithm: 'ES256',
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    previousPublicKeys: [],
    secret: undefined,
    issuer: 'iss',
    audience: 'aud',
    accessTtlMs,
    refreshTtlMs: 86_400_000,
    clockToleranceMs: 5_000,
    refreshReuseGraceMs: 2_000,
  };
}

/** A ConfigService stand-in answering `jwt` and `jwt.accessTtlMs`. */
export function jwtConfigService(jwt: AppConfig['jwt']): AppConfigService {
  return {
    get: (key: string) => (key === 'jwt' ? jwt : key === 'jwt.accessTtlMs' ? jwt.accessTtlMs : undefined),
  } as unknown as AppConfigService;
}

export async function accessTokensService(jwt = jwtTestConfig()): Promise<AccessTokensService> {
  const keys = SigningKeys.load({ jwt, app: { dataDir: '/nonexistent' } as AppConfig['app'] });
  return new AccessTokensService(keys, jwtConfigService(jwt));
}
