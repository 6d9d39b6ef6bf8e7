import { IsString, Matches } from 'class-validator';
import { EmailField, PasswordField } from '../../users/dto/user-fields.js';
import { RECOVERY_TOKEN_FORMAT } from '../recovery-tokens.service.js';

const TokenField = () =>
  Matches(RECOVERY_TOKEN_FORMAT, { message: 'token must be the token from the link (43 URL-safe characters)' });

export class ForgotPasswordDto {
  /** @example "ada@example.com" */
  @EmailField()
  email: string;
}

export class ResetPasswordDto {
  /**
   * The `token` parameter of the link in the reset mail.
   * @example "q3Jx0W4b1mZ8c9UuK5yTnA2fLr7sVgHdE6pXoNiY_-Q"
   */
  @IsString()
  @TokenField()
  token: string;

  /**
   * The new password, 8 to 128 characters.
   * @example "correct horse battery staple"
   */
  @PasswordField()
  newPassword: string;
}

export class VerifyEmailDto {
  /**
   * The `token` parameter of the link in the verification mail.
   * @example "q3Jx0W4b1mZ8c9UuK5yTnA2fLr7sVgHdE6pXoNiY_-Q"
   */
  @IsString()
  @TokenField()
  token: string;
}

export class MailRequestedResponse {
  /** @example "If an account has this address, a mail with a link is on its way" */
  message: string;
}
