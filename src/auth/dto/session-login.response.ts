import { UserResponse } from '../../users/dto/user.response.js';

export class CsrfTokenResponse {
  /**
   * Send it back as the `X-CSRF-Token` header on POST, PUT, PATCH and DELETE.
   * @example "5c0f2d9e8b7a4c1f9e3d2b6a0c8f7e1d4b9a2c6e5f0d3b8a7c1e9f4d2a6b0c8e"
   */
  csrfToken: string;
}

export class SessionLoginResponse extends CsrfTokenResponse {
  user: UserResponse;
}
