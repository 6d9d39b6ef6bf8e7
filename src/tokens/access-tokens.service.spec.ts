import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, jwtVerify } from 'jose';
import type { AppConfig } from '../config/app-config.js';
import { SigningKeys } from './signing-keys.js';
import { accessTokensService, jwtTestConfig } from './tokens.fixture.js';

const APP = { dataDir: '/nonexistent' } as AppConfig['app'];

describe('AccessTokensService', () => {
  it('signs ES256 with kid and typ at+jwt, and the documented claims (checked by jose, an independent verifier)', async () => {
    const jwt = jwtTestConfig(60_000);
    const keys = SigningKeys.load({ jwt, app: APP });
    const { token, expiresIn } = await (
      await accessTokensService(jwt)
    ).sign({ userId: 'u1', loginId: 'l1', roles: ['user'] });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: keys.kid, typ: 'at+jwt' });
    const { payload } = await jwtVerify(token, keys.verificationKeys[0]!.key, {
      issuer: 'iss',
      audience: 'aud',
      typ: 'at+jwt',
      algorithms: ['ES256'],
    });
    expect(payload).toEqual({
      sub: 'u1',
      sid: 'l1',
      roles: ['user'],
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iat: expect.any(Number),
      exp: payload.iat! + 60,
      iss: 'iss',
      aud: 'aud',
      auth_time: payload.iat,
      amr: ['pwd'],
    });
    expect(expiresIn).toBe(60);
  });

  it('signs HS256 when configured so', async () => {
    const jwt: AppConfig['jwt'] = {
      ...jwtTestConfig(),
      algorithm: 'HS256',
      secret: 'an HS256 secret of at least 32 bytes!',
    };
    const { token } = await (await accessTokensService(jwt)).sign({ userId: 'u1', loginId: 'l1', roles: ['user'] });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'HS256', typ: 'at+jwt' });
    await expect(
      jwtVerify(token, new TextEncoder().encode(jwt.secret), { algorithms: ['HS256'] }),
    ).resolves.toBeDefined();
  });

  it('gives a new jti to every token', async () => {
    const tokens = await accessTokensService();
    const subject = { userId: 'u1', loginId: 'l1', roles: ['user' as const] };
    const [a, b] = [(await tokens.sign(subject)).token, (await tokens.sign(subject)).token];
    expect(decodeJwt(a).jti).not.toBe(decodeJwt(b).jti);
  });

  describe('keyForHeader: the key only for a header of ours', () => {
    const header = (keys: SigningKeys, extra: Record<string, unknown> = {}) => ({
      alg: 'ES256',
      kid: keys.kid,
      typ: 'at+jwt',
      ...extra,
    });

    it.each(['at+jwt', 'application/at+jwt', 'AT+JWT'])(
      'reads typ %s as the access token type (RFC 9068 §4, case-insensitive)',
      async (typ) => {
        const jwt = jwtTestConfig();
        const keys = SigningKeys.load({ jwt, app: APP });
        expect((await accessTokensService(jwt)).keyForHeader(header(keys, { typ }))).not.toBeInstanceOf(Error);
      },
    );

    it.each<[string, unknown]>([
      ['a string', 'at+jwt'],
      ['a number', 1],
      ['null', null],
      ['an array', ['at+jwt']],
    ])('refuses a header that is %s, without throwing', async (_case, header) => {
      const key = (await accessTokensService()).keyForHeader(header);
      expect(key).toBeInstanceOf(Error);
      expect((key as Error).message).toBe('Malformed header');
    });

    it('finds our key by kid', async () => {
      const jwt = jwtTestConfig();
      const tokens = await accessTokensService(jwt);
      const keys = SigningKeys.load({ jwt, app: APP });
      const key = tokens.keyForHeader(header(keys));
      expect(key).not.toBeInstanceOf(Error);
      expect((key as { equals(o: unknown): boolean }).equals(keys.verificationKeys[0]!.key)).toBe(true);
    });

    it.each<[string, Record<string, unknown>, RegExp]>([
      ['a jku', { jku: 'https://evil.example/jwks.json' }, /names its own key/],
      ['an x5u', { x5u: 'https://evil.example/cert.pem' }, /names its own key/],
      ['a jwk', { jwk: { kty: 'EC' } }, /names its own key/],
      ['an x5c', { x5c: ['MII…'] }, /names its own key/],
      ['a crit', { crit: ['exp'] }, /critical/],
      ['an empty crit', { crit: [] }, /critical/],
      ['typ JWT', { typ: 'JWT' }, /Not an access token/],
      ['no typ', { typ: undefined }, /Not an access token/],
      ['typ application/jwt', { typ: 'application/jwt' }, /Not an access token/],
      ['a typ that is not a string', { typ: ['at+jwt'] }, /Not an access token/],
      ['an unknown kid', { kid: 'not-ours' }, /Unknown key id/],
      ['no kid', { kid: undefined }, /Unknown key id/],
      ['a numeric kid', { kid: 1 }, /Unknown key id/],
      ['our kid inside an array', { kid: ['OURS'] }, /Unknown key id/],
      ['an object kid', { kid: { toString: 'x' } }, /Unknown key id/],
      ['a kid walking the prototype', { kid: '__proto__' }, /Unknown key id/],
    ])('refuses %s', async (_case, extra, reason) => {
      const jwt = jwtTestConfig();
      const keys = SigningKeys.load({ jwt, app: APP });
      const patched = Object.fromEntries(
        Object.entries(extra).map(([name, value]) => [
          name,
          Array.isArray(value) && value[0] === 'OURS' ? [keys.kid] : value,
        ]),
      );
      const h = header(keys, patched);
      for (const [name, value] of Object.entries(h)) if (value === undefined) delete h[name as keyof typeof h];
      const key = (await accessTokensService(jwt)).keyForHeader(h);
      expect(key).toBeInstanceOf(Error);
      expect((key as Error).message).toMatch(reason);
    });
  });

  describe('claimsOf', () => {
    const claims = { sub: 'u1', sid: 'l1', jti: 'j1', iat: 1, exp: 2, roles: ['user'] };
    it('returns well-typed claims', async () => {
      expect((await accessTokensService()).claimsOf(claims)).toEqual(claims);
    });
    it.each<[string, unknown]>([
      ['no sid', { ...claims, sid: undefined }],
      ['a numeric sub', { ...claims, sub: 1 }],
      ['an empty jti', { ...claims, jti: '' }],
      ['no exp', { ...claims, exp: undefined }],
      ['exp as a string', { ...claims, exp: '2' }],
      ['roles not an array', { ...claims, roles: 'admin' }],
      ['a role not a string', { ...claims, roles: [{}] }],
      ['a payload that is a string', 'payload'],
    ])('refuses %s', async (_case, payload) => {
      expect((await accessTokensService()).claimsOf(payload)).toBeUndefined();
    });
  });
});

describe('SigningKeys', () => {
  it('names keys by the RFC 7638 thumbprint jose computes, and publishes the same JWKs', async () => {
    const previous = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const jwt = {
      ...jwtTestConfig(),
      previousPublicKeys: [previous.export({ type: 'spki', format: 'pem' }).toString()],
    };
    const keys = SigningKeys.load({ jwt, app: APP });
    const expected = await Promise.all(
      keys.verificationKeys.map(async ({ key }) => {
        const jwk = await exportJWK(key);
        return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'ES256', use: 'sig' };
      }),
    );
    expect(keys.jwks).toEqual(expected);
    expect(keys.kid).toBe(expected[0]!.kid);
  });

  it('names an HS256 secret by its thumbprint too, and publishes nothing', async () => {
    const jwt: AppConfig['jwt'] = {
      ...jwtTestConfig(),
      algorithm: 'HS256',
      secret: 'an HS256 secret of at least 32 bytes!',
    };
    const keys = SigningKeys.load({ jwt, app: APP });
    expect(keys.kid).toBe(await calculateJwkThumbprint(await exportJWK(new TextEncoder().encode(jwt.secret))));
    expect(keys.jwks).toEqual([]);
  });
});
