import { describe, expect, it } from '@jest/globals';
import type { CounterStore } from '../abuse/counter-store.js';
import type { AuditService } from '../audit/audit.service.js';
import type { AppConfigService } from '../config/config.module.js';
import type { MfaChallengesService } from '../mfa/mfa-challenges.service.js';
import type { LoginsService } from '../sessions/logins.service.js';
import { jwtTestConfig } from '../tokens/tokens.fixture.js';
import { PurgeJob } from './purge.job.js';

describe('PurgeJob', () => {
  it('keeps revoked logins while a token issued before the revocation can be accepted (lifetime plus JWT_CLOCK_TOLERANCE)', async () => {
    const jwt = { ...jwtTestConfig(60_000), clockToleranceMs: 120_000 };
    const config = {
      get: (key: string) => (key === 'jwt' ? jwt : key === 'jwt.accessTtlMs' ? jwt.accessTtlMs : 86_400_000),
    } as unknown as AppConfigService;
    let revokedBefore: Date | undefined;
    const logins = {
      purge: async (before: Date) => {
        revokedBefore = before;
        return 0;
      },
      purgeTombstones: async () => 0,
    } as unknown as LoginsService;
    const audit = { purgeOlderThan: async () => 0 } as unknown as AuditService;
    const counters = { purgeExpired: async () => 0 } as unknown as CounterStore;
    const now = Date.parse('2026-11-30T00:00:00Z');
    await new PurgeJob(logins, audit, counters, config, {
      purge: async () => 0,
    } as unknown as MfaChallengesService).run(now);
    expect(revokedBefore!.getTime()).toBeLessThanOrEqual(now - 60_000 - 120_000);
  });
});
