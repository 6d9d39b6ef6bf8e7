import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { sha256Hex } from '../common/hash.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { COUNTER_STORE } from './counters.module.js';
import type { CounterStore } from './counter-store.js';

export const LOCKOUT_WINDOW_MS = 15 * 60_000;

/**
 * Stops password guessing, in two counts over 15-minute windows:
 * - per email+IP: after LOGIN_MAX_FAILURES failures that pair gets 429 — even with the right
 *   password — until the window passes; a success resets it. Other addresses are not locked out
 *   by it, so one address cannot lock a user out of their own account.
 * - per account, from any address: after LOGIN_ACCOUNT_MAX_FAILURES failures every attempt for
 *   the subject gets 429 until the window passes; a success does not reset it (an attacker who
 *   rotates addresses would otherwise get a fresh allowance from each of the owner's logins).
 * The same guards the password re-checks of a logged-in user (password change, account
 * deletion), per user.
 */
@Injectable()
export class LoginLockoutService {
  private readonly maxFailures: number;
  private readonly accountMaxFailures: number;

  constructor(
    @Inject(COUNTER_STORE) private readonly counters: CounterStore,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.maxFailures = config.get('abuse.loginMaxFailures', { infer: true });
    this.accountMaxFailures = config.get('abuse.loginAccountMaxFailures', { infer: true });
  }

  /**
   * Counts an attempt before the password is checked — atomically, so parallel guesses cannot
   * all slip in before the first failure is stored — and throws 429 with Retry-After once the
   * pair or the account has had its allowance. `subject` names what is guessed at
   * (`login:<normalised email>`, `password:<user id>`). An attempt refused for the account is
   * taken back from the pair, so the owner's own address is not locked out longer than the account.
   */
  async attempt(subject: string, ip: string | undefined, response: Response): Promise<void> {
    const pairKey = this.pairKey(subject, ip);
    // One after the other: an attempt refused for the pair never counts against the account,
    // not even for a moment (a flood from one address would lock the owner out meanwhile).
    const pair = await this.counters.hit(pairKey, LOCKOUT_WINDOW_MS);
    if (pair.count > this.maxFailures) this.refuse(pair.ttlMs, response);
    const account = await this.counters.hit(this.accountKey(subject), LOCKOUT_WINDOW_MS);
    if (account.count <= this.accountMaxFailures) return;
    await this.counters.unhit(pairKey);
    this.refuse(account.ttlMs, response);
  }

  /** After a success: the pair starts over; the account count only loses this attempt. */
  async reset(subject: string, ip: string | undefined): Promise<void> {
    await this.counters.settle({ reset: [this.pairKey(subject, ip)], unhit: [this.accountKey(subject)] });
  }

  /**
   * Takes this attempt back from both counts without resetting them: a correct password that
   * still waits for its second factor is neither a failure nor a success.
   */
  async release(subject: string, ip: string | undefined): Promise<void> {
    await this.counters.settle({ unhit: [this.pairKey(subject, ip), this.accountKey(subject)] });
  }

  private refuse(ttlMs: number, response: Response): never {
    response.setHeader('Retry-After', String(Math.max(1, Math.ceil(ttlMs / 1000))));
    throw new HttpException('Too many failed attempts; try again later', HttpStatus.TOO_MANY_REQUESTS);
  }

  private pairKey(subject: string, ip: string | undefined): string {
    return `lockout:${sha256Hex(`${subject}|${ip ?? ''}`)}`;
  }

  private accountKey(subject: string): string {
    return `lockout:account:${sha256Hex(subject)}`;
  }
}
