import { describe, expect, it } from '@jest/globals';
import { isSessionLogin } from './session.middleware.js';

describe('isSessionLogin', () => {
  it('matches the session login path in any letter case, with or without trailing slashes', () => {
    expect(isSessionLogin('/api/auth/session/login')).toBe(true);
    expect(isSessionLogin('/API/Auth/Session/LOGIN//')).toBe(true);
    expect(isSessionLogin('/api/auth/session/login/x')).toBe(false);
    expect(isSessionLogin('/api/auth/token/login')).toBe(false);
    expect(isSessionLogin('/')).toBe(false);
    expect(isSessionLogin('')).toBe(false);
  });

  // `/\/+$/` retries from every slash: on this input it blocks the event loop for minutes.
  it('answers in linear time for a long run of slashes followed by another character', () => {
    expect(isSessionLogin(`${'/'.repeat(1_000_000)}x`)).toBe(false);
    expect(isSessionLogin(`/api/auth/session/login${'/'.repeat(1_000_000)}`)).toBe(true);
    expect(isSessionLogin(`/api/auth/session/login${'/'.repeat(1_000_000)}x`)).toBe(false);
  });
});
