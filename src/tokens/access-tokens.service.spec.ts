import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { AppConfig } from '../config/app-config.js';
import { SignJWT } from 'jose';
import { AccessTokensService, type AccessClaims } from './access-tokens.service.js';
import { SigningKeys } from './signing-keys.js';
import { accessTokensService, jwtTestConfig } from './tokens.fixture.js';

const service = (accessTtlMs = 60_000) => accessTokensService(jwtTestConfig(accessTtlMs));

/** The signature and claims check the cache stands in front of. */
const signatureChecks = () =>
  jest.spyOn(AccessTokensService.prototype as unknown as { verifySignatureAndClaims(token: string): Promise<AccessClaims> }, 'verifySignatureAndClaims');

const ISSUED = new Date('2026-11-30T00:00:00Z');
/** `seconds` after the 60 s token signed at ISSUED has expired. */
const pastExp = (seconds: number) => new Date(ISSUED.getTime() + 60_000 + seconds * 1000);
const fakeClock = () => jest.useFakeTimers({ now: ISSUED, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });

/** A 60 s token signed at ISSUED, and a verifier on the same keys that has never seen it. */
async function expiringToken(jwt: AppConfig['jwt'] = jwtTestConfig(60_000)) {
  const signer = await accessTokensService(jwt);
  const { token } = await signer.sign({ userId: 'u1', loginId: 'l1', roles: ['user'] });
  return { token, signer, fresh: () => accessTokensService(jwt) };
}

describe('AccessTokensService', () => {
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('verifies its own tokens and returns the claims', async () => {
    const tokens = await service();
    const { token } = await tokens.sign({ userId: 'u1', loginId: 'l1', roles: ['user'] });
    await expect(tokens.verify(token)).resolves.toMatchObject({ sub: 'u1', sid: 'l1', roles: ['user'] });
  });

  it('accepts a token 3 s past exp and rejects one 6 s past (JWT_CLOCK_TOLERANCE, default 5s)', async () => {
    fakeClock();
    const { token, fresh } = await expiringToken();
    jest.setSystemTime(pastExp(3));
    await expect((await fresh()).verify(token)).resolves.toMatchObject({ sub: 'u1' });
    jest.setSystemTime(pastExp(6));
    await expect((await fresh()).verify(token)).rejects.toThrow(/exp/);
  });

  it('honours JWT_CLOCK_TOLERANCE=0s: a second past exp is too late', async () => {
    fakeClock();
    const { token, fresh } = await expiringToken({ ...jwtTestConfig(60_000), clockToleranceMs: 0 });
    jest.setSystemTime(pastExp(1));
    await expect((await fresh()).verify(token)).rejects.toThrow(/exp/);
  });

  it('rejects a token whose nbf is further ahead than the tolerance, and accepts one within it', async () => {
    const jwt = jwtTestConfig(60_000);
    const keys = await SigningKeys.load({ jwt, app: { dataDir: '/nonexistent' } as AppConfig['app'] });
    const now = Math.floor(Date.now() / 1000);
    // Signed by an issuer whose clock runs ahead of the verifier's.
    const notBefore = (seconds: number) =>
      new SignJWT({ sid: 'l1', roles: ['user'] })
        .setProtectedHeader({ alg: 'ES256', kid: keys.kid, typ: 'at+jwt' })
        .setSubject('u1')
        .setJti('j1')
        .setIssuedAt(now)
        .setNotBefore(now + seconds)
        .setExpirationTime(now + 60)
        .setIssuer(jwt.issuer)
        .setAudience(jwt.audience)
        .sign(keys.signingKey);
    const verifier = await accessTokensService(jwt);
    await expect(verifier.verify(await notBefore(3))).resolves.toMatchObject({ sub: 'u1' });
    await expect(verifier.verify(await notBefore(6))).rejects.toThrow(/nbf/);
  });

  it('checks the signature of a token once: its second use comes from the cache', async () => {
    const tokens = await service();
    const { token } = await tokens.sign({ userId: 'u1', loginId: 'l1', roles: ['user'] });
    const checks = signatureChecks();
    await tokens.verify(token);
    await expect(tokens.verify(token)).resolves.toMatchObject({ sub: 'u1', sid: 'l1' });
    expect(checks).toHaveBeenCalledTimes(1);
  });

  it('remembers a verified token only until exp plus the tolerance; an expired one does not hit the cache', async () => {
    fakeClock();
    const { token, signer } = await expiringToken();
    await signer.verify(token);
    const checks = signatureChecks();
    jest.setSystemTime(pastExp(3)); // within the 5 s tolerance: still remembered
    await expect(signer.verify(token)).resolves.toMatchObject({ sub: 'u1' });
    expect(checks).toHaveBeenCalledTimes(0);
    jest.setSystemTime(pastExp(6));
    await expect(signer.verify(token)).rejects.toThrow(/exp/);
    expect(checks).toHaveBeenCalledTimes(1);
  });

  it('does not let a token that differs by a byte ride on a cached one', async () => {
    const tokens = await service();
    const { token } = await tokens.sign({ userId: 'u1', loginId: 'l1', roles: ['user'] });
    await tokens.verify(token);
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), roles: ['admin'] })).toString('base64url')}.${signature}`;
    await expect(tokens.verify(forged)).rejects.toThrow();
  });
});
