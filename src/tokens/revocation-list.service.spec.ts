import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { DatabaseShutdown } from '../database/database-shutdown.js';
import type { LoginsService } from '../sessions/logins.service.js';
import { LocalBroadcast } from './revocation-broadcast.js';
import { RevocationListService } from './revocation-list.service.js';
import { jwtConfigService, jwtTestConfig } from './tokens.fixture.js';

describe('RevocationListService', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('keeps a revocation as long as a token issued before it is accepted: lifetime plus JWT_CLOCK_TOLERANCE', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-30T00:00:00Z'), doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const revokedAt = new Date();
    let askedSince: Date | undefined;
    const logins = {
      listRevokedSince: async (since: Date) => {
        askedSince = since;
        return [{ id: 'l1', revokedAt }];
      },
    } as unknown as LoginsService;
    // 60 s tokens, verified up to 2 minutes past exp.
    const jwt = { ...jwtTestConfig(60_000), clockToleranceMs: 120_000 };
    const revocations = new RevocationListService(logins, new LocalBroadcast(), jwtConfigService(jwt), new DatabaseShutdown());
    await revocations.reload();
    jest.setSystemTime(revokedAt.getTime() + 60_000 + 119_000);
    expect(revocations.isRevoked('l1')).toBe(true);
    expect(askedSince!.getTime()).toBeLessThanOrEqual(revokedAt.getTime() - 180_000);
  });
});
