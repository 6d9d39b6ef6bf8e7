import type { Request, Response } from 'express';
import type { SessionData } from 'express-session';
import { sign, unsign } from 'cookie-signature';
import { sha256Hex } from '../common/hash.js';
import type { CachedSessionStore } from './session-cache.js';

export interface ReadOnlySessionOptions {
  cookieName: string;
  /** Every secret express-session accepts; the first signs. */
  secrets: string[];
  cookieOptions: { httpOnly: boolean; sameSite: 'lax'; path: string; secure: boolean };
  idleTtlMs: number;
}

/** Paths whose handlers create, change or end sessions (login, logout, CSRF token): never read-only. */
const CHANGING_PREFIX = '/api/auth/';
/** Signed cookie values remembered after their signature check, oldest first out. */
const VERIFIED_COOKIES = 10_000;

/**
 * `value` without leading and trailing spaces and tabs, the only characters `cookie.parse` trims
 * (String#trim also strips NBSP and other Unicode spaces, which would accept a value
 * express-session refuses). A loop, not `/[ \t]+$/`: that regex retries from every character of
 * a run of spaces, quadratic in a header the client chooses.
 */
function trimSpacesAndTabs(value: string): string {
  const blank = (code: number) => code === 0x20 || code === 0x09;
  let start = 0;
  let end = value.length;
  while (start < end && blank(value.charCodeAt(start))) start++;
  while (end > start && blank(value.charCodeAt(end - 1))) end--;
  return value.slice(start, end);
}

/** What a session handled here offers for a change: none, loudly. */
function refuse(): never {
  throw new Error('This request was served from the session cache read-only and cannot change its session');
}

const READ_ONLY_METHODS = {
  regenerate: refuse,
  destroy: refuse,
  reload: refuse,
  save: refuse,
  touch: refuse,
  resetMaxAge: refuse,
};

/** Deep-frozen copies of cached sessions, one per cached record (weakly held, gone with it). */
const views = new WeakMap<object, Readonly<SessionData>>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * The read path beside express-session, for requests that change no session: a cookie already
 * verified once on this instance, whose record the session cache holds. express-session would
 * still verify the signature, build Session and Cookie objects, hash the session JSON twice to
 * see whether it changed, wrap `res.end`, and re-sign a `Set-Cookie` on every response
 * (`rolling`); together that is most of a cached session request's cost.
 *
 * This path does only what such a request needs, the same way: the cookie is parsed as
 * express-session's `cookie` package would see it and its signature checked with
 * cookie-signature (the module express-session signs with) against the same secrets; the
 * record must be cached and inside its idle and absolute expiry (the guard then checks
 * revocation and, on unsafe methods, CSRF, against this session as usual). The idle expiry is
 * pushed and the cookie re-sent once per touch interval, as `rolling` would, but not per
 * response. The session it hands on is frozen, and its methods throw: a handler that tries to
 * change it fails loudly instead of changing nothing.
 *
 * Anything unusual goes to express-session, which decides as it always did: no record cached,
 * an unsigned, forged or malformed cookie, two cookies of the name, a quoted or badly encoded
 * value, the `/api/auth/` routes (login, logout, the CSRF token: they change sessions).
 *
 * Returns false when express-session must handle the request.
 */
export function createReadOnlySessionPath(options: ReadOnlySessionOptions, store: CachedSessionStore) {
  const name = options.cookieName;
  // Each cookie pair starts the header or follows `;` and optional whitespace, as `cookie.parse` reads it.
  const occurrence = new RegExp(`(?:^|;)[ \\t]*${name.replace(/[^\w-]/g, '\\$&')}[ \\t]*=`, 'g');
  const cookieOptions = { ...options.cookieOptions, maxAge: options.idleTtlMs };
  // A client sends the same cookie with every request: its HMAC and its id's SHA-256 are worked
  // out once. Keyed by the whole signed value, so only the exact bytes that passed are known; the
  // secrets cannot change while the process runs.
  const verified = new Map<string, { sid: string; hash: string }>();
  const verify = (signed: string) => {
    const known = verified.get(signed);
    if (known) return known;
    let sid: string | false = false;
    for (const secret of options.secrets) {
      sid = unsign(signed, secret);
      if (sid !== false) break;
    }
    if (sid === false) return undefined;
    if (verified.size >= VERIFIED_COOKIES) verified.delete(verified.keys().next().value as string);
    const entry = { sid, hash: sha256Hex(sid) };
    verified.set(signed, entry);
    return entry;
  };

  return (req: Request, res: Response, header: string): boolean => {
    if (req.path.toLowerCase().startsWith(CHANGING_PREFIX)) return false;
    occurrence.lastIndex = 0;
    const first = occurrence.exec(header);
    if (!first || occurrence.exec(header)) return false;
    const start = first.index + first[0].length;
    const end = header.indexOf(';', start);
    let value = trimSpacesAndTabs(header.slice(start, end === -1 ? undefined : end));
    if (value.includes('"')) return false;
    if (value.includes('%')) {
      try {
        value = decodeURIComponent(value);
      } catch {
        return false;
      }
    }
    if (!value.startsWith('s:')) return false;
    const cookie = verify(value.slice(2));
    if (!cookie) return false;
    const { sid } = cookie;

    const found = store.cache.lookup(cookie.hash);
    if (found.state !== 'hit') return false;
    let view = views.get(found.entry);
    if (!view) {
      view = deepFreeze(Object.assign(store.cache.copy(found.entry), READ_ONLY_METHODS));
      views.set(found.entry, view);
    }
    req.sessionID = sid;
    req.session = view as Request['session'];

    // Once per touch interval: the idle expiry moves in the store and in the browser together.
    // express-session sends a Secure cookie only over TLS it can see; so does this.
    if (store.touchCached(found.entry) && (!cookieOptions.secure || req.secure)) {
      res.cookie(name, `s:${sign(sid, options.secrets[0]!)}`, cookieOptions);
    }
    return true;
  };
}
