import { IsOptional } from 'class-validator';
import { EmailField, NameField, PasswordField } from '../../users/dto/user-fields.js';

export class RegisterDto {
  /** @example "ada@example.com" */
  @EmailField()
  email: string;

  /** 8 to 128 characters. @example "correct horse battery staple" */
  @PasswordField()
  password: string;

  /** @example "Ada Lovelace" */
  @IsOptional()
  @NameField()
  name?: string;
}
