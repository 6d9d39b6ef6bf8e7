import { UserResponse } from '../../users/dto/user.response.js';

export class CsrfTokenResponse {
  /** Send it back as the `X-CSRF-Token` header on POST, PUT, PATCH and DELETE. */
  csrfToken: string;
}

export class SessionLoginResponse extends CsrfTokenResponse {
  user: UserResponse;
}
