import { IsString, MaxLength } from 'class-validator';
import { PasswordField } from '../../users/dto/user-fields.js';

export class ChangePasswordDto {
  @IsString()
  @MaxLength(128)
  currentPassword: string;

  /** 8 to 128 characters. */
  @PasswordField()
  newPassword: string;
}

export class DeleteAccountDto {
  @IsString()
  @MaxLength(128)
  password: string;
}
