import { SetMetadata } from '@nestjs/common';
import type { Role } from './roles.js';
import type { AuthMode } from './auth-mode.js';

export const AUTH_METADATA = 'auth:modes';
export const PUBLIC_METADATA = 'auth:public';
export const ROLES_METADATA = 'auth:roles';

type Mode = AuthMode | `${AuthMode}`;

/**
 * Declares which mechanisms a controller or route accepts. A route without any declaration
 * still requires a login of either kind; the route inventory test keeps any from shipping
 * undecided. Swagger is written from this metadata, not from decorators here: swagger.ts gives
 * every operation its security requirements, its `Auth:` line and its 401/403/429 answers, the
 * undeclared routes included (a decorator cannot see those).
 */
export const Auth = (...modes: [Mode, ...Mode[]]) => SetMetadata(AUTH_METADATA, [...new Set(modes)] as AuthMode[]);

/** The only way out of authentication. */
export const Public = () => SetMetadata(PUBLIC_METADATA, true);

/** Requires every listed role, on top of `@Auth`; 403 otherwise. */
export const Roles = (...roles: [Role, ...Role[]]) => SetMetadata(ROLES_METADATA, roles);
