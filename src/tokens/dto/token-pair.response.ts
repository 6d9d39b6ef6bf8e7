export class TokenPairResponse {
  /**
   * ES256-signed JWT; send as `Authorization: Bearer <accessToken>`.
   * @example "eyJhbGciOiJFUzI1NiIsImtpZCI6IjNmMGM2YSJ9.eyJzdWIiOiIzZjBjNmE1MiJ9.c2lnbmF0dXJl"
   */
  accessToken: string;
  /** Opaque and single use: exchange it once at /api/auth/token/refresh. @example "q9Xo2c1mYvB7dL0sR4tKp8wEzN3aHf6uJg5iCjTkQbM" */
  refreshToken: string;
  /** @example "Bearer" */
  tokenType: 'Bearer';
  /** Seconds until the access token expires. @example 900 */
  expiresIn: number;
  /** Seconds until the refresh token expires. @example 2592000 */
  refreshExpiresIn: number;
}
