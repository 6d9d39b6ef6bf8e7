import { describe, expect, it } from '@jest/globals';
import { HttpException } from '@nestjs/common';
import type { Response } from 'express';
import type { AppConfigService } from '../config/config.module.js';
import type { Count, CounterStore } from './counter-store.js';
import { LoginLockoutService } from './login-lockout.service.js';

/** Counters in a Map; `takeBack` decides when an unhit lands (a busy pool delays it). */
class MemoryCounters implements CounterStore {
  readonly counts = new Map<string, number>();
  constructor(private readonly takeBack: (key: string) => Promise<void> = () => Promise.resolve()) {}

  async hit(key: string): Promise<Count> {
    await Promise.resolve();
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return { count, ttlMs: 60_000 };
  }
  async unhit(key: string): Promise<void> {
    await this.takeBack(key);
    this.counts.set(key, Math.max(0, (this.counts.get(key) ?? 0) - 1));
  }
  async peek(key: string): Promise<Count> {
    return { count: this.counts.get(key) ?? 0, ttlMs: 60_000 };
  }
  async reset(key: string): Promise<void> {
    this.counts.delete(key);
  }
  async settle({ reset = [], unhit = [] }: { reset?: string[]; unhit?: string[] }): Promise<void> {
    for (const key of reset) await this.reset(key);
    for (const key of unhit) await this.unhit(key);
  }
  purgeExpired(): Promise<number> {
    return Promise.resolve(0);
  }
  accountCount(): number {
    return [...this.counts].find(([key]) => key.startsWith('lockout:account:'))?.[1] ?? 0;
  }
}

const config = {
  get: (key: string) => ({ 'abuse.loginMaxFailures': 5, 'abuse.loginAccountMaxFailures': 20 })[key],
} as unknown as AppConfigService;
const response = { setHeader: () => undefined } as unknown as Response;
const subject = 'login:owner@example.com';
/** The attempt's outcome: 'tried' (the password may be checked) or the refusal's status. */
const outcome = (attempt: Promise<void>) =>
  attempt.then(
    () => 'tried',
    (error: unknown) => (error instanceof HttpException ? error.getStatus() : error),
  );

describe('LoginLockoutService', () => {
  it('attempts refused for the email+IP pair never count against the account, not even while in flight', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // Any take-back of an account hit waits: the flood's requests are still in flight.
    const counters = new MemoryCounters((key) => (key.startsWith('lockout:account:') ? gate : Promise.resolve()));
    const lockout = new LoginLockoutService(counters, config);
    for (let i = 0; i < 5; i++)
      expect(await outcome(lockout.attempt(subject, '198.51.100.66', response))).toBe('tried');

    const flood = Array.from({ length: 16 }, () => outcome(lockout.attempt(subject, '198.51.100.66', response)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // 5 + 16 would be over the account's 20: the owner, from home, must still get to try.
    expect(await outcome(lockout.attempt(subject, '203.0.113.7', response))).toBe('tried');
    open();
    expect(await Promise.all(flood)).toEqual(Array.from({ length: 16 }, () => 429));
    expect(counters.accountCount()).toBe(6);
  });

  it('an attempt refused for the account takes its hit back from the pair', async () => {
    const counters = new MemoryCounters();
    const lockout = new LoginLockoutService(counters, config);
    for (let i = 0; i < 20; i++) await lockout.attempt(subject, `198.51.100.${i}`, response);
    expect(await outcome(lockout.attempt(subject, '203.0.113.7', response))).toBe(429);
    expect(counters.accountCount()).toBe(21);
    const pairCounts = [...counters.counts].filter(([key]) => !key.startsWith('lockout:account:')).map(([, c]) => c);
    // 20 addresses tried once each; the refused one's pair is back to 0.
    expect(pairCounts.sort()).toEqual([0, ...Array.from({ length: 20 }, () => 1)]);
  });

  it('a success resets the pair and takes only this attempt from the account', async () => {
    const counters = new MemoryCounters();
    const lockout = new LoginLockoutService(counters, config);
    for (let i = 0; i < 3; i++) await lockout.attempt(subject, '203.0.113.7', response);
    await lockout.reset(subject, '203.0.113.7');
    expect(counters.accountCount()).toBe(2);
    expect([...counters.counts.keys()].filter((key) => !key.startsWith('lockout:account:'))).toEqual([]);
  });
});
