/** Provider of the embedded database, or `null` when DATABASE_URL points at a server. */
export const EMBEDDED_DATABASE = Symbol('EMBEDDED_DATABASE');
