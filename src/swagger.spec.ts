import { describe, expect, it, jest } from '@jest/globals';
import { runInNewContext } from 'node:vm';
import { SECURITY } from './auth-decorators/security-schemes.js';
import { csrfResponseInterceptor } from './swagger.js';

/** The interceptor as the browser gets it: its source text, evaluated where only `window` exists. */
function inBrowser() {
  const preauthorizeApiKey = jest.fn();
  const intercept = runInNewContext(`(${csrfResponseInterceptor.toString()})`, {
    window: { ui: { preauthorizeApiKey } },
  }) as (response: unknown) => unknown;
  return { intercept, preauthorizeApiKey };
}

describe('csrfResponseInterceptor', () => {
  it('puts the csrfToken of a successful answer under Authorize → X-CSRF-Token and passes the response on', () => {
    const { intercept, preauthorizeApiKey } = inBrowser();
    const response = { ok: true, status: 200, body: { user: {}, csrfToken: 'token-1' } };
    expect(intercept(response)).toBe(response);
    expect(preauthorizeApiKey).toHaveBeenCalledWith(SECURITY.csrf, 'token-1');
  });

  it.each([
    ['an answer without csrfToken', { ok: true, body: { id: 'n1' } }],
    ['an error answer', { ok: false, body: { csrfToken: 'token-1' } }],
    ['a non-JSON answer', { ok: true, body: 'text' }],
    ['a failed fetch', undefined],
  ])('leaves Authorize alone on %s', (_name, response) => {
    const { intercept, preauthorizeApiKey } = inBrowser();
    expect(intercept(response)).toBe(response);
    expect(preauthorizeApiKey).not.toHaveBeenCalled();
  });
});
