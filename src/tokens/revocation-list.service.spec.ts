import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Subject } from 'rxjs';
import { DatabaseShutdown } from '../database/database-shutdown.js';
import type { LoginsService, Revocation } from '../sessions/logins.service.js';
import { LocalBroadcast, type RevocationBroadcast, type RevocationMessage } from './revocation-broadcast.js';
import { RevocationListService } from './revocation-list.service.js';
import { jwtConfigService, jwtTestConfig } from './tokens.fixture.js';

describe('RevocationListService', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('keeps a revocation as long as a token issued before it is accepted: lifetime plus JWT_CLOCK_TOLERANCE', async () => {
    jest.useFakeTimers({
      now: new Date('2026-11-30T00:00:00Z'),
      doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'],
    });
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
    const revocations = new RevocationListService(
      logins,
      new LocalBroadcast(),
      jwtConfigService(jwt),
      new DatabaseShutdown(),
    );
    await revocations.reload();
    jest.setSystemTime(revokedAt.getTime() + 60_000 + 119_000);
    expect(revocations.isRevoked('l1')).toBe(true);
    expect(askedSince!.getTime()).toBeLessThanOrEqual(revokedAt.getTime() - 180_000);
  });

  it('does not finish stopping before the revocations in flight are published', async () => {
    const events: string[] = [];
    const revoked = new Subject<Revocation>();
    const logins = { revoked$: revoked.asObservable(), listRevokedSince: async () => [] } as unknown as LoginsService;
    let release: (() => void) | undefined;
    const broadcast: RevocationBroadcast = {
      start: async () => undefined,
      stop: async () => void events.push('broadcast stopped'),
      publish: (message: RevocationMessage) =>
        new Promise<void>((resolve) => {
          release = () => {
            events.push(`published ${message.loginIds.join()}`);
            resolve();
          };
        }),
    };
    const config = jwtConfigService(jwtTestConfig(60_000));
    const shutdown = new DatabaseShutdown();
    const list = new RevocationListService(logins, broadcast, config, shutdown);
    await list.onModuleInit();

    revoked.next({ loginIds: ['l1'], sessionLoginIds: [] });
    expect(list.isRevoked('l1')).toBe(true);
    const stopping = shutdown.run().then(() => events.push('shut down'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toEqual([]);

    release?.();
    await stopping;
    expect(events).toEqual(['published l1', 'broadcast stopped', 'shut down']);
  });

  it('closes only after a reload in flight, and starts none once shutdown has begun', async () => {
    const events: string[] = [];
    let reloads = 0;
    let finishReload: (() => void) | undefined;
    const logins = {
      revoked$: new Subject<Revocation>().asObservable(),
      listRevokedSince: async () => {
        reloads++;
        if (reloads === 1) return []; // the start-up load
        await new Promise<void>((resolve) => (finishReload = resolve));
        events.push('reloaded');
        return [];
      },
    } as unknown as LoginsService;
    let reconnected: (() => void) | undefined;
    const broadcast: RevocationBroadcast = {
      start: async (_onMessage, onReconnect) => void (reconnected = onReconnect),
      stop: async () => void events.push('broadcast stopped'),
      publish: async () => undefined,
    };
    const shutdown = new DatabaseShutdown();
    const list = new RevocationListService(logins, broadcast, jwtConfigService(jwtTestConfig(60_000)), shutdown);
    await list.onModuleInit();

    reconnected?.(); // the subscription (re)connects: a reload begins
    await new Promise((resolve) => setImmediate(resolve));
    const stopping = shutdown.run().then(() => events.push('shut down'));
    reconnected?.(); // too late: no new reload
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toEqual([]);

    finishReload?.();
    await stopping;
    expect(events).toEqual(['reloaded', 'broadcast stopped', 'shut down']);
    expect(reloads).toBe(2);
  });
});
