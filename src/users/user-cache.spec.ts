import { jest } from '@jest/globals';
import { USER_MAX_AGE_MS, UserCache, type UserProfile } from './user-cache.js';

function user(id: string, name = 'Ada'): UserProfile {
  return {
    id,
    email: `${id}@example.com`,
    name,
    credentialsVersion: 0,
    emailVerified: false,
    roles: ['user'],
    mfaEnabled: false,
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };
}

describe('UserCache', () => {
  let now: number;
  let cache: UserCache;
  beforeEach(() => {
    now = 1_000_000;
    cache = new UserCache(3, () => now);
  });

  it('reads a user once and serves it from memory afterwards', async () => {
    const load = jest.fn(() => Promise.resolve(user('a')));
    expect((await cache.load('a', load))?.name).toBe('Ada');
    expect((await cache.load('a', load))?.name).toBe('Ada');
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('remembers that a user does not exist', async () => {
    const load = jest.fn(() => Promise.resolve(null));
    expect(await cache.load('gone', load)).toBeNull();
    expect(await cache.load('gone', load)).toBeNull();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('reads the database again once an entry is USER_MAX_AGE_MS old', async () => {
    const load = jest.fn(() => Promise.resolve(user('a')));
    await cache.load('a', load);
    now += USER_MAX_AGE_MS - 1;
    await cache.load('a', load);
    expect(load).toHaveBeenCalledTimes(1);
    now += 1;
    await cache.load('a', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('forgets the users it is told to, and everyone when told no ids', async () => {
    const load = jest.fn((id: string) => Promise.resolve(user(id)));
    for (const id of ['a', 'b']) await cache.load(id, () => load(id));
    cache.forget(['a']);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')?.id).toBe('b');
    cache.forget();
    expect(cache.size).toBe(0);
  });

  it('does not keep a read that was in flight when the user was evicted', async () => {
    let finish!: (value: UserProfile) => void;
    const reading = cache.load('a', () => new Promise<UserProfile>((resolve) => (finish = resolve)));
    cache.forget(['a']); // a change committed while the old row was on its way
    finish(user('a', 'old name'));
    expect((await reading)?.name).toBe('old name'); // the caller that asked still gets an answer
    expect(cache.get('a')).toBeUndefined(); // but nobody after it
  });

  it('drops the least recently used user when full', async () => {
    for (const id of ['a', 'b', 'c']) await cache.load(id, () => Promise.resolve(user(id)));
    cache.get('a'); // used: b is now the oldest
    await cache.load('d', () => Promise.resolve(user('d')));
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.id).toBe('a');
  });

  it('hands out frozen copies, so no caller can change what the next one reads', async () => {
    const row = user('a');
    const cached = await cache.load('a', () => Promise.resolve(row));
    expect(Object.isFrozen(cached)).toBe(true);
    expect(() => (cached!.roles as string[]).push('admin')).toThrow(TypeError);
    (row.roles as string[]).push('admin'); // the loader's own object is not the cached one
    expect(cache.get('a')?.roles).toEqual(['user']);
  });
});
