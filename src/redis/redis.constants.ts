/** Provider of the shared RedisClient (single Redis or cluster), or `null` without Redis. */
export const REDIS = Symbol('REDIS');
