import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { accessTokensService, jwtTestConfig } from './tokens.fixture.js';

const service = (accessTtlMs = 60_000) => accessTokensService(jwtTestConfig(accessTtlMs));

describe('AccessTokensService', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('verifies its own tokens and returns the claims', async () => {
    const tokens = await service();
    const { token } = await tokens.sign({ userId: 'u1', loginId: 'l1', roles: ['user'] });
    await expect(tokens.verify(token)).resolves.toMatchObject({ sub: 'u1', sid: 'l1', roles: ['user'] });
  });

  it('remembers a verified token only until it expires (plus the clock tolerance)', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-30T00:00:00Z'), doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const tokens = await service(60_000);
    const { token } = await tokens.sign({ userId: 'u1', loginId: 'l1', roles: ['user'] });
    await tokens.verify(token);
    jest.setSystemTime(new Date('2026-11-30T00:01:20Z')); // 60 s lifetime + 20 s: within tolerance
    await expect(tokens.verify(token)).resolves.toMatchObject({ sub: 'u1' });
    jest.setSystemTime(new Date('2026-11-30T00:01:31Z')); // past exp + 30 s
    await expect(tokens.verify(token)).rejects.toThrow();
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
