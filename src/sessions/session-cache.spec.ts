import { describe, expect, it } from '@jest/globals';
import type { SessionData } from 'express-session';
import { sha256Hex } from '../common/hash.js';
import {
  CachedSessionStore,
  MAX_RECORD_AGE_MS,
  SessionCache,
  type SessionBackend,
  type StoredSession,
} from './session-cache.js';

const IDLE = 30 * 60_000;
const T0 = Date.parse('2026-12-01T00:00:00Z');

function session(loginId: string): SessionData {
  return {
    cookie: { originalMaxAge: IDLE },
    passport: { user: { userId: 'u1', loginId } },
    csrfToken: 't',
  };
}

function record(loginId: string, at: number, overrides: Partial<StoredSession> = {}): StoredSession {
  return {
    session: session(loginId),
    loginId,
    absoluteExpiresAt: at + 7 * 86_400_000,
    idleExpiresAt: at + IDLE,
    ...overrides,
  };
}

/** A backend in memory that counts what is asked of it; `clock.now` drives the cache. */
function setup(maxEntries = 100) {
  const clock = { now: T0 };
  const rows = new Map<string, StoredSession>();
  const calls = { load: 0, touch: [] as Array<{ hash: string; idleExpiresAt: number }> };
  const backend: SessionBackend = {
    load: async (hash) => {
      calls.load++;
      const row = rows.get(hash);
      return row && row.idleExpiresAt > clock.now && row.absoluteExpiresAt > clock.now ? row : null;
    },
    save: async (hash, loginId, data) => void rows.set(hash, record(loginId, clock.now, { session: data })),
    touch: async (hash, _loginId, idleExpiresAt) => {
      calls.touch.push({ hash, idleExpiresAt });
      const row = rows.get(hash);
      if (!row) return false;
      row.idleExpiresAt = idleExpiresAt;
      return true;
    },
    destroy: async (hash) => void rows.delete(hash),
  };
  const cache = new SessionCache(IDLE, maxEntries, () => clock.now);
  const store = new CachedSessionStore(cache, backend);
  const get = (sid: string) =>
    new Promise<SessionData | null | undefined>((resolve, reject) =>
      store.get(sid, (error, data) => (error ? reject(error) : resolve(data))),
    );
  return { clock, rows, calls, cache, store, get };
}

describe('SessionCache', () => {
  it('keeps at most its bound, dropping the least recently used first', () => {
    const { cache, clock } = setup(3);
    for (const id of ['a', 'b', 'c']) cache.put(id, record(`l-${id}`, clock.now), clock.now);
    expect(cache.lookup('a').state).toBe('hit'); // a is now the most recently used
    cache.put('d', record('l-d', clock.now), clock.now);
    expect(cache.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((id) => cache.lookup(id).state)).toEqual(['hit', 'miss', 'hit', 'hit']);
  });

  it('forgets the sessions of ended logins, and nothing else', () => {
    const { cache, clock } = setup();
    cache.put('a', record('l1', clock.now), clock.now);
    cache.put('b', record('l2', clock.now), clock.now);
    cache.forgetLogins(['l1', 'unknown']);
    expect([cache.lookup('a').state, cache.lookup('b').state]).toEqual(['miss', 'hit']);
    cache.clear();
    expect(cache.lookup('b').state).toBe('miss');
  });

  it('a login’s new session replaces its old one in the index', () => {
    const { cache, clock } = setup();
    cache.put('old', record('l1', clock.now), clock.now);
    cache.put('new', record('l1', clock.now), clock.now);
    expect(cache.lookup('old').state).toBe('miss');
    cache.forgetLogins(['l1']);
    expect(cache.lookup('new').state).toBe('miss');
  });

  it('serves a record only inside its absolute and idle expiry and its maximum age', () => {
    const { cache, clock } = setup();
    cache.put('abs', record('l1', clock.now, { absoluteExpiresAt: clock.now + 1000 }), clock.now);
    cache.put('idle', record('l2', clock.now, { idleExpiresAt: clock.now + 2000 }), clock.now);
    cache.put('old', record('l3', clock.now), clock.now);
    clock.now += 1000;
    expect(cache.lookup('abs').state).toBe('miss');
    expect(cache.lookup('idle').state).toBe('hit');
    clock.now += 1000;
    expect(cache.lookup('idle').state).toBe('miss');
    expect(cache.lookup('old').state).toBe('hit');
    clock.now = T0 + MAX_RECORD_AGE_MS;
    expect(cache.lookup('old').state).toBe('miss');
  });
});

describe('CachedSessionStore', () => {
  it('reads the backend once for many requests, and hands each a copy of its own', async () => {
    const { rows, calls, get, clock } = setup();
    rows.set(sha256Hex('sid'), record('l1', clock.now));
    const first = await get('sid');
    (first as { csrfToken?: string }).csrfToken = 'changed by a request';
    const second = await get('sid');
    expect(calls.load).toBe(1);
    expect((second as { csrfToken?: string }).csrfToken).toBe('t');
  });

  it('writes a touch at most once per interval, and pushes the idle expiry', async () => {
    const { rows, calls, store, cache, get, clock } = setup();
    rows.set(sha256Hex('sid'), record('l1', clock.now));
    await get('sid');
    // As express-session does: the session is read, then touched once the response is sent.
    const request = async () => {
      await get('sid');
      await new Promise<void>((resolve) => store.touch('sid', session('l1'), () => resolve()));
    };
    await request(); // written at login just now: not due
    expect(calls.touch).toEqual([]);
    clock.now += cache.touchIntervalMs;
    await request();
    await request();
    clock.now += cache.touchIntervalMs - 1;
    await request();
    expect(calls.touch).toEqual([{ hash: sha256Hex('sid'), idleExpiresAt: T0 + cache.touchIntervalMs + IDLE }]);
  });

  it('re-reads the store before declaring a session idle-expired: another instance may have touched it', async () => {
    const { rows, calls, get, clock } = setup();
    const hash = sha256Hex('sid');
    rows.set(hash, record('l1', clock.now));
    await get('sid');
    // Another instance serves the session meanwhile and pushes its idle expiry.
    clock.now += IDLE - 1000;
    rows.get(hash)!.idleExpiresAt = clock.now + IDLE;
    clock.now += 2000;
    expect(await get('sid')).toMatchObject({ passport: { user: { loginId: 'l1' } } });
    expect(calls.load).toBe(2);
    // Left idle everywhere: the store refuses it too.
    clock.now += IDLE;
    expect(await get('sid')).toBeNull();
  });

  it('trusts the store over a clock a little ahead of it: the session is served, not kept', async () => {
    const cache = new SessionCache(IDLE, 10, () => T0);
    // The database's clock is behind this one: its query still finds the session valid.
    const stored = record('l1', T0 - IDLE, { idleExpiresAt: T0 - 1 });
    const backend: SessionBackend = {
      load: async () => stored,
      save: async () => undefined,
      touch: async () => true,
      destroy: async () => undefined,
    };
    const store = new CachedSessionStore(cache, backend);
    const data = await new Promise((resolve, reject) =>
      store.get('sid', (error, found) => (error ? reject(error) : resolve(found))),
    );
    expect(data).toMatchObject({ passport: { user: { loginId: 'l1' } } });
    expect(cache.size).toBe(0);
  });

  it('drops the cached record on a write and on destroy', async () => {
    const { rows, calls, store, get, clock } = setup();
    rows.set(sha256Hex('sid'), record('l1', clock.now));
    await get('sid');
    await new Promise<void>((resolve) => store.set('sid', { ...session('l1'), csrfToken: 'new' }, () => resolve()));
    expect(await get('sid')).toMatchObject({ csrfToken: 'new' });
    expect(calls.load).toBe(2);
    await new Promise<void>((resolve) => store.destroy('sid', () => resolve()));
    expect(await get('sid')).toBeNull();
  });
});
