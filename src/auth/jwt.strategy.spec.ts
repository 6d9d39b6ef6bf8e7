import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { Request } from 'express';
import { SignJWT } from 'jose';
import type { AppConfig } from '../config/app-config.js';
import { DatabaseShutdown } from '../database/database-shutdown.js';
import type { LoginsService } from '../sessions/logins.service.js';
import { LocalBroadcast } from '../tokens/revocation-broadcast.js';
import { RevocationListService } from '../tokens/revocation-list.service.js';
import { SigningKeys } from '../tokens/signing-keys.js';
import { accessTokensService, jwtConfigService, jwtTestConfig } from '../tokens/tokens.fixture.js';
import type { AuthUser } from '../auth-decorators/auth-user.js';
import { JwtStrategy } from './jwt.strategy.js';
import { runStrategy } from './run-strategy.js';

/** The signature and claims check the cache stands in front of. */
const signatureChecks = () =>
  jest.spyOn(
    JwtStrategy.prototype as unknown as { verifySignatureAndClaims(request: Request): void },
    'verifySignatureAndClaims',
  );

const ISSUED = new Date('2026-11-30T00:00:00Z');
/** `seconds` after the 60 s token signed at ISSUED has expired. */
const pastExp = (seconds: number) => new Date(ISSUED.getTime() + 60_000 + seconds * 1000);
const fakeClock = () => jest.useFakeTimers({ now: ISSUED, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });

const noDatabase = {} as LoginsService;

/** A strategy on `jwt`'s keys with its own empty revocation list and cache. */
async function strategy(jwt: AppConfig['jwt']) {
  const revocations = new RevocationListService(
    noDatabase,
    new LocalBroadcast(),
    jwtConfigService(jwt),
    new DatabaseShutdown(),
  );
  return { strategy: new JwtStrategy(await accessTokensService(jwt), revocations), revocations };
}

/** The principal, or the failure's reason (jsonwebtoken's message) thrown as an error. */
async function verify(jwtStrategy: JwtStrategy, token: string): Promise<AuthUser> {
  const outcome = await runStrategy<AuthUser>(jwtStrategy, {
    headers: { authorization: `Bearer ${token}` },
  } as Request);
  if (outcome.user) return outcome.user;
  throw new Error(
    outcome.challenge instanceof Error ? outcome.challenge.message : `refused: ${String(outcome.challenge)}`,
  );
}

/** A 60 s token signed at ISSUED, and a verifier on the same keys that has never seen it. */
async function expiringToken(jwt: AppConfig['jwt'] = jwtTestConfig(60_000)) {
  const signer = await accessTokensService(jwt);
  const { token } = await signer.sign({ userId: 'u1', loginId: 'l1', roles: ['user'] });
  return { token, fresh: async () => (await strategy(jwt)).strategy };
}

describe('JwtStrategy', () => {
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('verifies our own tokens and returns the principal', async () => {
    const jwt = jwtTestConfig(60_000);
    const { token } = await (await accessTokensService(jwt)).sign({ userId: 'u1', loginId: 'l1', roles: ['user'] });
    await expect(verify((await strategy(jwt)).strategy, token)).resolves.toEqual({
      id: 'u1',
      roles: ['user'],
      loginId: 'l1',
      via: 'jwt',
      authTime: expect.any(Number),
    });
  });

  it('accepts a token 3 s past exp and rejects one 6 s past (JWT_CLOCK_TOLERANCE, default 5s)', async () => {
    fakeClock();
    const { token, fresh } = await expiringToken();
    jest.setSystemTime(pastExp(3));
    await expect(verify(await fresh(), token)).resolves.toMatchObject({ id: 'u1' });
    jest.setSystemTime(pastExp(6));
    await expect(verify(await fresh(), token)).rejects.toThrow('jwt expired');
  });

  it('honours JWT_CLOCK_TOLERANCE=0s: a second past exp is too late', async () => {
    fakeClock();
    const { token, fresh } = await expiringToken({ ...jwtTestConfig(60_000), clockToleranceMs: 0 });
    jest.setSystemTime(pastExp(1));
    await expect(verify(await fresh(), token)).rejects.toThrow('jwt expired');
  });

  it('rejects a token whose nbf is further ahead than the tolerance, and accepts one within it', async () => {
    const jwt = jwtTestConfig(60_000);
    const keys = SigningKeys.load({ jwt, app: { dataDir: '/nonexistent' } as AppConfig['app'] });
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
    const { strategy: verifier } = await strategy(jwt);
    await expect(verify(verifier, await notBefore(3))).resolves.toMatchObject({ id: 'u1' });
    await expect(verify(verifier, await notBefore(6))).rejects.toThrow('jwt not active');
  });

  it('checks the signature of a token once: its second use comes from the cache', async () => {
    const jwt = jwtTestConfig(60_000);
    const { token } = await (await accessTokensService(jwt)).sign({ userId: 'u1', loginId: 'l1', roles: ['user'] });
    const { strategy: verifier } = await strategy(jwt);
    const checks = signatureChecks();
    await verify(verifier, token);
    await expect(verify(verifier, token)).resolves.toMatchObject({ id: 'u1', loginId: 'l1' });
    expect(checks).toHaveBeenCalledTimes(1);
  });

  it('checks revocation on a cached token too', async () => {
    const jwt = jwtTestConfig(60_000);
    const { token } = await (await accessTokensService(jwt)).sign({ userId: 'u1', loginId: 'l9', roles: ['user'] });
    const { strategy: verifier, revocations } = await strategy(jwt);
    await verify(verifier, token);
    const checks = signatureChecks();
    (revocations as unknown as { add(m: { loginIds: string[]; until: number }): void }).add({
      loginIds: ['l9'],
      until: Date.now() + 60_000,
    });
    await expect(verify(verifier, token)).rejects.toThrow('refused: 401');
    expect(checks).not.toHaveBeenCalled();
  });

  it('remembers a verified token only until exp plus the tolerance; an expired one does not hit the cache', async () => {
    fakeClock();
    const { token, fresh } = await expiringToken();
    const verifier = await fresh();
    await verify(verifier, token);
    const checks = signatureChecks();
    jest.setSystemTime(pastExp(3)); // within the 5 s tolerance: still remembered
    await expect(verify(verifier, token)).resolves.toMatchObject({ id: 'u1' });
    expect(checks).toHaveBeenCalledTimes(0);
    jest.setSystemTime(pastExp(6));
    await expect(verify(verifier, token)).rejects.toThrow('jwt expired');
    expect(checks).toHaveBeenCalledTimes(1);
  });

  it('does not let a token that differs by a byte ride on a cached one', async () => {
    const jwt = jwtTestConfig(60_000);
    const { token } = await (await accessTokensService(jwt)).sign({ userId: 'u1', loginId: 'l1', roles: ['user'] });
    const { strategy: verifier } = await strategy(jwt);
    await verify(verifier, token);
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), roles: ['admin'] })).toString('base64url')}.${signature}`;
    await expect(verify(verifier, forged)).rejects.toThrow('invalid signature');
  });
});
