import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { MAX_MESSAGE_BYTES, splitRevocation, type RevocationMessage } from './revocation-broadcast.js';

const until = Date.now() + 15 * 60_000;
const bytes = (message: RevocationMessage) => Buffer.byteLength(JSON.stringify(message));

describe('splitRevocation', () => {
  it.each([1, 150, 250, 5_000])(
    'delivers each of %i login ids exactly once, in messages PostgreSQL NOTIFY accepts',
    (count) => {
      const loginIds = Array.from({ length: count }, () => randomUUID());
      const messages = splitRevocation({ loginIds, until });
      expect(messages.flatMap((message) => message.loginIds)).toEqual(loginIds);
      for (const message of messages) {
        expect(bytes(message)).toBeLessThan(8000);
        expect(message.until).toBe(until);
        expect(message.loginIds.length).toBeGreaterThan(0);
      }
    },
  );

  it('fills each message before starting the next', () => {
    const messages = splitRevocation({ loginIds: Array.from({ length: 1_000 }, () => randomUUID()), until });
    for (const message of messages.slice(0, -1)) expect(bytes(message) + 39).toBeGreaterThan(MAX_MESSAGE_BYTES);
    expect(messages.length).toBeGreaterThan(1);
  });

  it('keeps to any limit, multi-byte ids included', () => {
    const loginIds = Array.from({ length: 40 }, (_, i) => `ü${i}-${'é'.repeat(i % 7)}`);
    const messages = splitRevocation({ loginIds, until }, 120);
    expect(messages.flatMap((message) => message.loginIds)).toEqual(loginIds);
    for (const message of messages) expect(bytes(message)).toBeLessThanOrEqual(120);
  });

  it('sends nothing for no ids, and refuses an id that cannot fit', () => {
    expect(splitRevocation({ loginIds: [], until })).toEqual([]);
    expect(() => splitRevocation({ loginIds: ['x'.repeat(200)], until }, 100)).toThrow('does not fit');
  });
});
