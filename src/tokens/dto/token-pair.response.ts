export class TokenPairResponse {
  /** ES256-signed JWT; send as `Authorization: Bearer <accessToken>`. */
  accessToken: string;
  /** Opaque and single use: exchange it once at /api/auth/token/refresh. */
  refreshToken: string;
  /** @example "Bearer" */
  tokenType: 'Bearer';
  /** Seconds until the access token expires. @example 900 */
  expiresIn: number;
  /** Seconds until the refresh token expires. @example 2592000 */
  refreshExpiresIn: number;
}
