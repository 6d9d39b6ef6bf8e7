import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '../redis/redis.constants.js';
import { MemoryCounterStore, RedisCounterStore, type CounterStore } from './counter-store.js';

export const COUNTER_STORE = Symbol('COUNTER_STORE');

@Module({
  providers: [
    {
      provide: COUNTER_STORE,
      inject: [REDIS],
      useFactory: (redis: Redis | null): CounterStore => (redis ? new RedisCounterStore(redis) : new MemoryCounterStore()),
    },
  ],
  exports: [COUNTER_STORE],
})
export class CountersModule {}
