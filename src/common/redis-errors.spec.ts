import { describe, expect, it } from '@jest/globals';
import { isRedisUnavailable } from './redis-errors.js';

const replyError = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });

describe('isRedisUnavailable', () => {
  it.each([
    "Stream isn't writeable and enableOfflineQueue options is false",
    "Cluster isn't ready and enableOfflineQueue options is false",
    'None of startup nodes is available',
    'Failed to refresh slots cache.',
    'Too many Cluster redirections. Last error: ReplyError: CLUSTERDOWN The cluster is down',
    'Cluster is ended.',
  ])('is true for a single Redis or a cluster out of reach: %s', (message) => {
    expect(isRedisUnavailable(new Error(message))).toBe(true);
  });

  it('is true for a cluster that answers it is down, false for other error replies', () => {
    expect(isRedisUnavailable(replyError('CLUSTERDOWN Hash slot not served'))).toBe(true);
    expect(isRedisUnavailable(replyError('ERR wrong number of arguments for command'))).toBe(false);
    expect(isRedisUnavailable(replyError("CROSSSLOT Keys in request don't hash to the same slot"))).toBe(false);
    expect(isRedisUnavailable(new Error('something else'))).toBe(false);
  });
});
