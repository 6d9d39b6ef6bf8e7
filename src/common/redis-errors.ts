/**
 * ioredis's errors while Redis cannot be reached: the client is set to fail commands at once
 * (no offline queue, one retry) instead of holding requests, and says so in these words.
 */
const UNREACHABLE_MESSAGES = /Stream isn't writeable|Connection is closed|max retries per request|ECONNREFUSED|ETIMEDOUT|Command timed out/i;

/** True for an ioredis error meaning Redis is away (not a command's own error reply). */
export function isRedisUnavailable(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  if (name === 'ReplyError') return false;
  return name === 'MaxRetriesPerRequestError' || UNREACHABLE_MESSAGES.test(message ?? '');
}
