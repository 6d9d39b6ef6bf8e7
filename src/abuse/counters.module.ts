import { Module } from '@nestjs/common';
import { getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { RedisClient } from '../redis/redis-client.js';
import { REDIS } from '../redis/redis.constants.js';
import { AbuseCounter } from './abuse-counter.entity.js';
import { RedisCounterStore, type CounterStore } from './counter-store.js';
import { DatabaseCounterStore } from './database-counter-store.js';

export const COUNTER_STORE = Symbol('COUNTER_STORE');

@Module({
  imports: [TypeOrmModule.forFeature([AbuseCounter])],
  providers: [
    {
      provide: COUNTER_STORE,
      inject: [REDIS, getRepositoryToken(AbuseCounter)],
      // Never in process memory: limits must hold across instances and restarts.
      useFactory: (redis: RedisClient | null, counters: Repository<AbuseCounter>): CounterStore =>
        redis ? new RedisCounterStore(redis) : new DatabaseCounterStore(counters),
    },
  ],
  exports: [COUNTER_STORE],
})
export class CountersModule {}
