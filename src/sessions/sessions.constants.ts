/** The express-session middleware, built from config; app.setup.ts installs it. */
export const SESSION_MIDDLEWARE = Symbol('SESSION_MIDDLEWARE');
