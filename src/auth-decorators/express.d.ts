import type { AuthUser } from './auth-user.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The authenticated caller, set by the global guard on protected routes. */
      auth?: AuthUser;
    }
  }
}
