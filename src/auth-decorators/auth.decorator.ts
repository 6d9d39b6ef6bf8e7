import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { SECURITY } from './security-schemes.js';
import type { Role } from './roles.js';
import { AuthMode } from './auth-mode.js';

export const AUTH_METADATA = 'auth:modes';
export const PUBLIC_METADATA = 'auth:public';
export const ROLES_METADATA = 'auth:roles';

type Mode = AuthMode | `${AuthMode}`;

/**
 * Declares which mechanisms a controller or route accepts, and says so in Swagger in the same
 * place: the cookie plus the CSRF header (checked on state-changing requests) for `session`,
 * the bearer token for `jwt`, and the 401 answer. A route without any declaration still
 * requires a login of either kind; the route inventory test keeps any from shipping undecided.
 */
export function Auth(...modes: [Mode, ...Mode[]]) {
  const accepted = [...new Set(modes)] as AuthMode[];
  return applyDecorators(
    SetMetadata(AUTH_METADATA, accepted),
    // Separate requirement objects mean "either"; keys within one object mean "both".
    ...(accepted.includes(AuthMode.Session) ? [ApiSecurity({ [SECURITY.session]: [], [SECURITY.csrf]: [] })] : []),
    ...(accepted.includes(AuthMode.Jwt) ? [ApiBearerAuth(SECURITY.jwt)] : []),
    ApiUnauthorizedResponse({ description: `Not logged in by ${accepted.join(' or ')}` }),
  );
}

/** The only way out of authentication. */
export const Public = () => SetMetadata(PUBLIC_METADATA, true);

/** Requires every listed role, on top of `@Auth`; 403 otherwise. */
export const Roles = (...roles: [Role, ...Role[]]) =>
  applyDecorators(SetMetadata(ROLES_METADATA, roles), ApiForbiddenResponse({ description: `Requires the ${roles.join(', ')} role` }));
