import type { AuthUser } from './auth-user.js';

declare global {
  namespace Express {
    interface Request {
      /** The authenticated caller, set by the global guard on protected routes. */
      auth?: AuthUser;
    }
  }
}
