import { SetMetadata } from '@nestjs/common';
import ms from 'ms';

export const FRESH_METADATA = 'auth:fresh';

/** What `@Fresh()` stores: the route's own maximum age, or none for AUTH_FRESH_MAX_AGE. */
export interface FreshDeclaration {
  maxAgeMs?: number;
}

/**
 * Step-up per route (RFC 9470): the login must have proved the password (or a second factor)
 * within AUTH_FRESH_MAX_AGE, or within `maxAge` (`'10m'`) when given; otherwise 401
 * `insufficient_user_authentication` until `POST /api/auth/reauthenticate`. Checked by the
 * global guard after the mechanism and the roles.
 */
export const Fresh = (maxAge?: ms.StringValue) => {
  if (maxAge === undefined) return SetMetadata(FRESH_METADATA, {} satisfies FreshDeclaration);
  const maxAgeMs = ms(maxAge);
  // A typo must fail at start-up, not make a route always (or never) fresh.
  if (!Number.isFinite(maxAgeMs) || maxAgeMs < 1000)
    throw new Error(`@Fresh('${maxAge}'): not a duration of at least 1s`);
  return SetMetadata(FRESH_METADATA, { maxAgeMs } satisfies FreshDeclaration);
};
