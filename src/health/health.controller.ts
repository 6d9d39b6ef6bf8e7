import { Controller, Get, Inject } from '@nestjs/common';
import { ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator, type HealthIndicatorResult } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { Public } from '../auth/decorators/auth.decorator.js';
import { REDIS } from '../redis/redis.constants.js';

const TIMEOUT_MS = 1500;

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(REDIS) private readonly redis: Redis | null,
  ) {}

  /** 200 when the database (and Redis, when configured) answer; 503 with details otherwise. */
  @Get()
  @HealthCheck()
  @ApiServiceUnavailableResponse({ description: 'A dependency does not answer' })
  check() {
    const checks: Array<() => PromiseLike<HealthIndicatorResult>> = [() => this.db.pingCheck('database', { timeout: TIMEOUT_MS })];
    const redis = this.redis;
    if (redis) {
      checks.push(() =>
        this.indicators.check('redis').attempt(async () => {
          if (redis.status !== 'ready') throw new Error(`Redis connection is ${redis.status}`);
          if ((await redis.ping()) !== 'PONG') throw new Error('Redis did not answer PONG');
        }).withTimeout(TIMEOUT_MS),
      );
    }
    return this.health.check(checks);
  }
}
