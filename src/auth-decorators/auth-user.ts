import type { Role } from './roles.js';
import { AuthMode } from './auth-mode.js';

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

/** The kind of login behind the caller, as login records and audit events name it. */
export function loginKindOf(user: Pick<AuthUser, 'via'>): 'session' | 'token' {
  return user.via === AuthMode.Jwt ? 'token' : 'session';
}
