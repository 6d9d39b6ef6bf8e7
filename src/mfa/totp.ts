import { generateSecret, generateURI, verify } from 'otplib';

/** RFC 6238 as authenticator apps expect it: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_S = 30;
/** 160 bits, the HMAC-SHA-1 key size RFC 4226 §4 recommends. */
const SECRET_BYTES = 20;
const CODE = /^\d{6}$/;

export function newTotpSecret(): string {
  return generateSecret({ length: SECRET_BYTES });
}

export function otpauthUrl(secret: string, issuer: string, account: string): string {
  return generateURI({ issuer, label: account, secret, algorithm: 'sha1', digits: 6, period: TOTP_PERIOD_S });
}

export function isTotpCode(code: string): boolean {
  return CODE.test(code);
}

/**
 * The time step of `code` when it is valid now, one step either side (clock drift, RFC 6238
 * §5.2), and later than `afterStep` (a code already accepted is never accepted again); else null.
 */
export async function totpStep(secret: string, code: string, afterStep: number | null): Promise<number | null> {
  if (!isTotpCode(code)) return null;
  const result = await verify({
    secret,
    token: code,
    period: TOTP_PERIOD_S,
    epochTolerance: TOTP_PERIOD_S,
    ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}
