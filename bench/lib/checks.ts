/**
 * What a measured answer must be for the user its request was sent for. Each check reads the
 * user from the request's context; an answer for anyone else, or in another shape, is false.
 */
import { decodePayload } from './tokens.js';

export type Context = Record<string, unknown>;
export type Headers = Record<string, string | string[]>;

export interface Identified {
  id: string;
}

const parse = (body: string) => JSON.parse(body) as Record<string, unknown>;
const userOf = (context: Context) => context.user as Identified;

export const PUBLIC_BODY = '{"via":null}';

export function isPublicAnswer(body: string): boolean {
  return body === PUBLIC_BODY;
}

/** `examples/*`: `{userId, via}` of the caller, authenticated by the expected mechanism. */
export function whoAnswer(via: 'jwt' | 'session') {
  return (body: string, context: Context): boolean => {
    const answer = parse(body);
    return answer.userId === userOf(context).id && answer.via === via;
  };
}

/** `users/me`: the caller's own user object. */
export function meAnswer(body: string, context: Context): boolean {
  return parse(body).id === userOf(context).id;
}

/** The notes list: exactly the caller's notes, each titled with the caller's own title. */
export function notesAnswer(count: number) {
  return (body: string, context: Context): boolean => {
    const page = parse(body) as { total?: unknown; items?: unknown };
    const { noteTitle } = context.user as Identified & { noteTitle: string };
    return (
      page.total === count &&
      Array.isArray(page.items) &&
      page.items.length === count &&
      page.items.every((note: { title?: unknown }) => note.title === noteTitle)
    );
  };
}

/** A token pair whose access token was issued to `userId`; the pair, or undefined when it was not. */
export function tokenPairFor(body: string, userId: string): { accessToken: string; refreshToken: string } | undefined {
  const pair = parse(body) as { accessToken?: unknown; refreshToken?: unknown };
  if (typeof pair.accessToken !== 'string' || typeof pair.refreshToken !== 'string') return undefined;
  return decodePayload(pair.accessToken).sub === userId
    ? { accessToken: pair.accessToken, refreshToken: pair.refreshToken }
    : undefined;
}

/** Session login: the caller's user in the body, and a session cookie set. */
export function sessionLoginAnswer(body: string, context: Context, headers: Headers): boolean {
  const setCookie = Object.entries(headers).find(([name]) => name.toLowerCase() === 'set-cookie')?.[1];
  const cookies = Array.isArray(setCookie) ? setCookie : [setCookie ?? ''];
  const user = parse(body).user as { id?: unknown } | undefined;
  return user?.id === userOf(context).id && cookies.some((cookie) => /^(__Host-)?sid=/.test(cookie));
}
