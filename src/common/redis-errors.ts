/**
 * ioredis's errors while Redis cannot be reached: the client is set to fail commands at once
 * (no offline queue, one retry) instead of holding requests, and says so in these words. A
 * Redis Cluster adds its own: not ready, no node reachable, or a command that kept being
 * redirected (a failover in progress) until it gave up.
 */
const UNREACHABLE_MESSAGES =
  /Stream isn't writeable|Connection is closed|max retries per request|ECONNREFUSED|ETIMEDOUT|Command timed out|Cluster isn't ready|Cluster is ended|None of startup nodes is available|Failed to refresh slots cache|Too many Cluster redirections/i;

/** True for an ioredis error meaning Redis is away (not a command's own error reply). */
export function isRedisUnavailable(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  // The one reply that means the server is there but cannot serve: a cluster with a slot uncovered.
  if (name === 'ReplyError') return /^CLUSTERDOWN\b/.test(message ?? '');
  return name === 'MaxRetriesPerRequestError' || UNREACHABLE_MESSAGES.test(message ?? '');
}
