/** The mechanisms a route can accept. Strategy names for Passport are these values too. */
export enum AuthMode {
  Session = 'session',
  Jwt = 'jwt',
}

/** Passport strategy names, in one place (STYLE 4). */
export const LOCAL_STRATEGY = 'local';
