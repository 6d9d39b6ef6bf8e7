import { IsString, MaxLength } from 'class-validator';
import { EmailField } from '../../users/dto/user-fields.js';

export class LoginDto {
  /** @example "ada@example.com" */
  @EmailField()
  email: string;

  /** @example "correct horse battery staple" */
  @IsString()
  @MaxLength(128)
  password: string;
}
