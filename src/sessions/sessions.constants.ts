/** The express-session middleware, built from config; app.setup.ts installs it. */
export const SESSION_MIDDLEWARE = Symbol('SESSION_MIDDLEWARE');

/** The express-session store: Redis when REDIS_URL is set, the database otherwise. */
export const SESSION_STORE = Symbol('SESSION_STORE');
