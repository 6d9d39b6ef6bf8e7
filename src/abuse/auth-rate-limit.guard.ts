import { HttpException, HttpStatus, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { COUNTER_STORE } from './counters.module.js';
import type { CounterStore } from './counter-store.js';

export const AUTH_PATH_PREFIX = '/api/auth/';
const WINDOW_MS = 60_000;

/**
 * THROTTLE_AUTH_LIMIT requests a minute per client IP on /api/auth/* (TRUST_PROXY decides what
 * the IP is); 429 with Retry-After past it. Counted in Redis when configured, so the limit holds
 * across instances. (@nestjs/throttler 6 is CommonJS and cannot load Nest 12's ESM-only
 * packages under Jest on Node 20; this is the same fixed-window limit on our counters.)
 */
@Injectable()
export class AuthRateLimitGuard implements CanActivate {
  private readonly limit: number;

  constructor(
    @Inject(COUNTER_STORE) private readonly counters: CounterStore,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.limit = config.get('abuse.throttleAuthLimit', { infer: true });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.limit === 0 || context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    // Express matches routes case-insensitively: /API/AUTH/... must count too.
    if (!request.path.toLowerCase().startsWith(AUTH_PATH_PREFIX)) return true;
    const { count, ttlMs } = await this.counters.hit(`rate:auth:${request.ip ?? 'unknown'}`, WINDOW_MS);
    const response = http.getResponse<Response>();
    const reset = Math.max(1, Math.ceil(ttlMs / 1000));
    response.setHeader('X-RateLimit-Limit', String(this.limit));
    response.setHeader('X-RateLimit-Remaining', String(Math.max(0, this.limit - count)));
    response.setHeader('X-RateLimit-Reset', String(reset));
    if (count <= this.limit) return true;
    response.setHeader('Retry-After', String(reset));
    throw new HttpException(
      `Too many requests to /api/auth; the limit is ${this.limit} a minute`,
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
