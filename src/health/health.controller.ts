import { Controller, Get, Inject, Logger, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { Public } from '../auth-decorators/index.js';
import { isCluster, type RedisClient } from '../redis/redis-client.js';
import { REDIS } from '../redis/redis.constants.js';

const TIMEOUT_MS = 1500;

/** The answer's schema: terminus's shape, each dependency reduced to its status (see statusOnly). */
function healthSchema(status: 'ok' | 'error', example: object) {
  const dependencies = {
    type: 'object',
    additionalProperties: {
      type: 'object',
      properties: { status: { type: 'string', enum: ['up', 'down'] } },
      required: ['status'],
    },
  };
  return {
    type: 'object',
    properties: {
      status: { type: 'string', enum: [status] },
      info: dependencies,
      error: dependencies,
      details: dependencies,
    },
    required: ['status', 'details'],
    example,
  };
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(REDIS) private readonly redis: RedisClient | null,
  ) {}

  /** 200 when the database (and Redis, when configured) answer; 503 naming what is down otherwise. */
  @Get()
  // Terminus documents the route itself only where it can `require('@nestjs/swagger')`: in the
  // built service (Node's require of an ES module) but not under Jest's ESM mode, so the tests
  // would serve another document; its schema also shows the response times this answer strips.
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOkResponse({
    description: 'Every dependency answers',
    schema: healthSchema('ok', {
      status: 'ok',
      info: { database: { status: 'up' } },
      error: {},
      details: { database: { status: 'up' } },
    }),
  })
  @ApiServiceUnavailableResponse({
    description: 'A dependency does not answer',
    schema: healthSchema('error', {
      status: 'error',
      info: {},
      error: { database: { status: 'down' } },
      details: { database: { status: 'down' } },
    }),
  })
  async check(): Promise<HealthCheckResult> {
    try {
      return statusOnly(await this.health.check(this.checks()));
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      // Driver errors name hosts, ports and databases: the log keeps them, the public answer does not.
      this.logger.warn(`Health check failed: ${JSON.stringify(result.error ?? result.details)}`);
      throw new ServiceUnavailableException(statusOnly(result));
    }
  }

  private checks(): Array<() => PromiseLike<HealthIndicatorResult>> {
    const checks: Array<() => PromiseLike<HealthIndicatorResult>> = [
      () => this.db.pingCheck('database', { timeout: TIMEOUT_MS }),
    ];
    const redis = this.redis;
    if (redis) {
      checks.push(() =>
        this.indicators
          .check('redis')
          .attempt(async () => {
            if (redis.status !== 'ready') throw new Error(`Redis connection is ${redis.status}`);
            if (isCluster(redis)) {
              // A node that answers is not enough: with a slot uncovered (a master lost and not yet
              // replaced) the cluster refuses writes, and says so in CLUSTER INFO.
              const state = /^cluster_state:(\w+)/m.exec(await redis.cluster('INFO'))?.[1];
              if (state !== 'ok') throw new Error(`Redis Cluster state is ${state ?? 'unknown'}`);
            } else if ((await redis.ping()) !== 'PONG') throw new Error('Redis did not answer PONG');
          })
          .withTimeout(TIMEOUT_MS),
      );
    }
    return checks;
  }
}

/** The terminus shape `{status, info, error, details}` with each dependency reduced to its status. */
function statusOnly(result: HealthCheckResult): HealthCheckResult {
  const strip = (section: Partial<HealthIndicatorResult> | undefined): HealthIndicatorResult | undefined =>
    section &&
    Object.fromEntries(
      Object.entries(section).flatMap(([key, value]) => (value ? [[key, { status: value.status }]] : [])),
    );
  return {
    status: result.status,
    info: strip(result.info),
    error: strip(result.error),
    details: strip(result.details) ?? {},
  };
}
