import { Cluster, Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config.js';

/**
 * The shared client: one Redis (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES). Code that
 * takes it sends only commands a cluster routes by key: single-key commands, or scripts whose
 * keys share one hash tag (`{…}`), so both kinds of deployment run the same code.
 */
export type RedisClient = Redis | Cluster;

/** Commands fail at once while Redis is away instead of piling up: a request gets a clear error. */
const NODE_OPTIONS = {
  connectTimeout: 5000,
  disconnectTimeout: 500,
  maxRetriesPerRequest: 1,
  // A Redis that is silent (a partition) rather than gone: a command gives up after a second.
  commandTimeout: 1000,
};

/** The configured client, not yet connected; `null` without Redis. */
export function createRedisClient(config: AppConfig['redis']): RedisClient | null {
  if (config.clusterNodes.length > 0) {
    return new Cluster(config.clusterNodes, {
      lazyConnect: true,
      enableOfflineQueue: false,
      // The per-node connections keep ioredis's own offline queue: they connect on their first
      // command, and the cluster-level queue above is the one that must not hold requests.
      redisOptions: NODE_OPTIONS,
      // Reconnects for ever, like the single client, at most every 2 s; a command itself is
      // bounded by maxRedirections (16) MOVED/ASK/TRYAGAIN/CLUSTERDOWN hops.
      clusterRetryStrategy: (times: number) => Math.min(100 * times, 2000),
    });
  }
  if (!config.url) return null;
  return new Redis(config.url, { lazyConnect: true, enableOfflineQueue: false, ...NODE_OPTIONS });
}

/** Whether the client is a cluster; `instanceof` on the union type narrows it for callers. */
export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}
