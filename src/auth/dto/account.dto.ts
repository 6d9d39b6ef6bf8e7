import { IsString, MaxLength } from 'class-validator';
import { PasswordField } from '../../users/dto/user-fields.js';

export class ChangePasswordDto {
  /** @example "correct horse battery staple" */
  @IsString()
  @MaxLength(128)
  currentPassword: string;

  /** 8 to 128 characters. @example "a longer passphrase than before" */
  @PasswordField()
  newPassword: string;
}

export class DeleteAccountDto {
  /** @example "correct horse battery staple" */
  @IsString()
  @MaxLength(128)
  password: string;
}
