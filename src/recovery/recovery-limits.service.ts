import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { COUNTER_STORE } from '../abuse/counters.module.js';
import type { CounterStore } from '../abuse/counter-store.js';
import { sha256Hex } from '../common/hash.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { normalizeEmail } from '../users/email.js';

const WINDOW_MS = 60 * 60_000;

/**
 * How often mail may be asked for, on the shared counters (Redis or the database): per address
 * (RECOVERY_MAX_PER_EMAIL an hour, counted whether or not an account has it, so a 429 tells
 * nothing about which addresses exist) and per IP (RECOVERY_MAX_PER_IP, 0 = off). Keeps the
 * service from being used to flood someone's inbox.
 */
@Injectable()
export class RecoveryLimits {
  private readonly maxPerEmail: number;
  private readonly maxPerIp: number;

  constructor(
    @Inject(COUNTER_STORE) private readonly counters: CounterStore,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    ({ maxPerEmail: this.maxPerEmail, maxPerIp: this.maxPerIp } = config.get('recovery', { infer: true }));
  }

  /** Counts one mail request for `email` from `ip`; 429 with Retry-After past either limit. */
  async hit(email: string, ip: string | undefined, response: Response): Promise<void> {
    if (this.maxPerIp > 0) {
      const perIp = await this.counters.hit(`recovery:ip:${ip ?? 'unknown'}`, WINDOW_MS);
      if (perIp.count > this.maxPerIp) this.refuse(perIp.ttlMs, response);
    }
    const perEmail = await this.counters.hit(`recovery:email:${sha256Hex(normalizeEmail(email))}`, WINDOW_MS);
    if (perEmail.count > this.maxPerEmail) this.refuse(perEmail.ttlMs, response);
  }

  private refuse(ttlMs: number, response: Response): never {
    response.setHeader('Retry-After', String(Math.max(1, Math.ceil(ttlMs / 1000))));
    throw new HttpException('Too many mail requests; try again later', HttpStatus.TOO_MANY_REQUESTS);
  }
}
