/** The revocation broadcast in use: Redis, PostgreSQL LISTEN/NOTIFY, or in-process. */
export const REVOCATION_BROADCAST = Symbol('REVOCATION_BROADCAST');
