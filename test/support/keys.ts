import { generateKeyPairSync } from 'node:crypto';

/** A fresh ES256 key pair as PEM, for configuring an app and crafting tokens in a test. */
export function es256Pair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
