import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { sha256Hex } from '../common/hash.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { COUNTER_STORE } from './counters.module.js';
import type { CounterStore } from './counter-store.js';

export const LOCKOUT_WINDOW_MS = 15 * 60_000;

/**
 * Stops password guessing against one account from one address: after LOGIN_MAX_FAILURES
 * failures within 15 minutes, that email+IP pair gets 429 — even with the right password —
 * until the window passes. A success resets the count. The same guards the password re-checks
 * of a logged-in user (password change, account deletion), per user and IP. Other addresses are not locked out, so
 * an attacker cannot lock a user out of their own account from elsewhere.
 */
@Injectable()
export class LoginLockoutService {
  private readonly maxFailures: number;

  constructor(
    @Inject(COUNTER_STORE) private readonly counters: CounterStore,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.maxFailures = config.get('abuse.loginMaxFailures', { infer: true });
  }

  /**
   * Counts an attempt before the password is checked — atomically, so parallel guesses cannot
   * all slip in before the first failure is stored — and throws 429 with Retry-After once the
   * subject has had its allowance. `subject` names what is guessed at (`login:<email>`,
   * `password:<user id>`); a success resets it.
   */
  async attempt(subject: string, ip: string | undefined, response: Response): Promise<void> {
    const { count, ttlMs } = await this.counters.hit(this.key(subject, ip), LOCKOUT_WINDOW_MS);
    if (count <= this.maxFailures) return;
    response.setHeader('Retry-After', String(Math.max(1, Math.ceil(ttlMs / 1000))));
    throw new HttpException('Too many failed attempts; try again later', HttpStatus.TOO_MANY_REQUESTS);
  }

  async reset(subject: string, ip: string | undefined): Promise<void> {
    await this.counters.reset(this.key(subject, ip));
  }

  private key(subject: string, ip: string | undefined): string {
    return `lockout:${sha256Hex(`${subject}|${ip ?? ''}`)}`;
  }
}
