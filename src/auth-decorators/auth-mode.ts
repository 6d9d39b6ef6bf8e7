/** The mechanisms a route can accept. Passport strategy names for the two modes are these values too. */
export enum AuthMode {
  Session = 'session',
  Jwt = 'jwt',
}
