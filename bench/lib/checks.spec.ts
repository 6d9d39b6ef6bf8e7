import { describe, expect, it } from '@jest/globals';
import { isPublicAnswer, meAnswer, notesAnswer, sessionLoginAnswer, tokenPairFor, whoAnswer } from './checks.js';

const alice = { id: 'a1', noteTitle: 'note of a1' };
const bob = { id: 'b2', noteTitle: 'note of b2' };
const jwt = (sub: string) =>
  `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub })).toString('base64url')}.sig`;

describe('benchmark answer checks', () => {
  it('accepts the public answer only', () => {
    expect(isPublicAnswer('{"via":null}')).toBe(true);
    expect(isPublicAnswer('{"via":"jwt"}')).toBe(false);
  });

  it('accepts the caller by the expected mechanism, not another user or mechanism', () => {
    const check = whoAnswer('jwt');
    expect(check('{"userId":"a1","via":"jwt"}', { user: alice })).toBe(true);
    expect(check('{"userId":"b2","via":"jwt"}', { user: alice })).toBe(false);
    expect(check('{"userId":"a1","via":"session"}', { user: alice })).toBe(false);
  });

  it('accepts users/me of the caller only', () => {
    expect(meAnswer('{"id":"a1","email":"a@example.com"}', { user: alice })).toBe(true);
    expect(meAnswer('{"id":"b2","email":"b@example.com"}', { user: alice })).toBe(false);
  });

  it('accepts a notes page of exactly the caller notes', () => {
    const check = notesAnswer(2);
    const page = (title: string, total = 2) =>
      JSON.stringify({ items: [{ title }, { title }], total, page: 1, limit: 20 });
    expect(check(page('note of a1'), { user: alice })).toBe(true);
    expect(check(page('note of a1'), { user: bob })).toBe(false);
    expect(check(page('note of a1', 3), { user: alice })).toBe(false);
    expect(
      check(JSON.stringify({ items: [{ title: 'note of a1' }, { title: 'note of b2' }], total: 2 }), { user: alice }),
    ).toBe(false);
  });

  it('accepts a token pair issued to the expected subject', () => {
    const body = JSON.stringify({ accessToken: jwt('a1'), refreshToken: 'r1', tokenType: 'Bearer' });
    expect(tokenPairFor(body, 'a1')).toEqual({ accessToken: jwt('a1'), refreshToken: 'r1' });
    expect(tokenPairFor(body, 'b2')).toBeUndefined();
    expect(tokenPairFor(JSON.stringify({ accessToken: jwt('a1') }), 'a1')).toBeUndefined();
  });

  it('accepts a session login for the caller that sets a session cookie', () => {
    const body = JSON.stringify({ user: { id: 'a1' }, csrfToken: 'c' });
    expect(sessionLoginAnswer(body, { user: alice }, { 'Set-Cookie': ['sid=s%3Aabc; Path=/; HttpOnly'] })).toBe(true);
    expect(sessionLoginAnswer(body, { user: alice }, { 'set-cookie': '__Host-sid=s%3Aabc; Path=/; Secure' })).toBe(
      true,
    );
    expect(sessionLoginAnswer(body, { user: bob }, { 'set-cookie': 'sid=s%3Aabc' })).toBe(false);
    expect(sessionLoginAnswer(body, { user: alice }, { 'x-other': 'sid=1' })).toBe(false);
  });
});
