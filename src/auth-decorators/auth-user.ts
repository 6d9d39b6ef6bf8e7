import type { Role } from './roles.js';
import type { AuthMode } from './auth-mode.js';

/** The authenticated caller, as controllers receive it through `@CurrentUser()`. */
export interface AuthUser {
  id: string;
  roles: Role[];
  /** The login record this request belongs to (session, or token family `sid`). */
  loginId: string;
  via: AuthMode;
  /**
   * Bearer requests: the access token's `auth_time` (seconds), when the login last proved the
   * password. Cookie sessions read it from the login record, on `@Fresh()` routes only.
   */
  authTime?: number;
}
