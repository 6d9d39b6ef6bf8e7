import { describe, expect, it, jest } from '@jest/globals';
import { sign } from 'cookie-signature';
import type { Request, Response } from 'express';
import type { SessionData } from 'express-session';
import crypto from 'node:crypto';
import { sha256Hex } from '../common/hash.js';
import { createReadOnlySessionPath } from './read-only-session.js';
import { CachedSessionStore, SessionCache, type SessionBackend } from './session-cache.js';

const SECRET = 'a session secret of at least 32 characters';
const HOUR = 3_600_000;

/** A read-only path over a cache that holds the session `sid`. */
function pathFor(sid: string) {
  const cache = new SessionCache(HOUR);
  const backend: SessionBackend = {
    load: () => Promise.resolve(null),
    save: () => Promise.resolve(),
    touch: () => Promise.resolve(true),
    destroy: () => Promise.resolve(),
  };
  const now = Date.now();
  const session = { cookie: {}, passport: { user: { userId: 'u', loginId: 'l' } } } as unknown as SessionData;
  cache.put(sha256Hex(sid), { session, loginId: 'l', absoluteExpiresAt: now + HOUR, idleExpiresAt: now + HOUR }, now);
  return createReadOnlySessionPath(
    {
      cookieName: 'sid',
      secrets: [SECRET],
      cookieOptions: { httpOnly: true, sameSite: 'lax', path: '/', secure: false },
      idleTtlMs: HOUR,
    },
    new CachedSessionStore(cache, backend),
  );
}

const request = () => ({ path: '/api/examples/session-only', secure: false }) as Request;
const response = () => ({ cookie: jest.fn() }) as unknown as Response;

describe('the read-only session path', () => {
  it('checks a cookie’s signature once, then knows it', () => {
    const serve = pathFor('abc');
    const header = `sid=s:${sign('abc', SECRET)}`;
    const hmac = jest.spyOn(crypto, 'createHmac');
    try {
      for (let i = 0; i < 3; i++) {
        const req = request();
        expect(serve(req, response(), header)).toBe(true);
        expect(req.sessionID).toBe('abc');
      }
      expect(hmac).toHaveBeenCalledTimes(1);
    } finally {
      hmac.mockRestore();
    }
  });

  it('never remembers a forged signature: it is checked, and handed to express-session, every time', () => {
    const serve = pathFor('abc');
    const forged = `sid=s:${sign('abc', 'another secret of at least 32 characters')}`;
    const real = `sid=s:${sign('abc', SECRET)}`;
    const hmac = jest.spyOn(crypto, 'createHmac');
    try {
      expect(serve(request(), response(), forged)).toBe(false);
      expect(serve(request(), response(), forged)).toBe(false);
      expect(hmac).toHaveBeenCalledTimes(2);
      // The real cookie still works after the forged ones.
      expect(serve(request(), response(), real)).toBe(true);
    } finally {
      hmac.mockRestore();
    }
  });
});
