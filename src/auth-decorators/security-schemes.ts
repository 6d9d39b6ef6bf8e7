/** OpenAPI security scheme names; `@Auth()` references them and swagger.ts declares them. */
export const SECURITY = { session: 'session', jwt: 'jwt', csrf: 'csrf' } as const;
