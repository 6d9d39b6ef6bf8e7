import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, MaxLength } from 'class-validator';
import { normalizeEmail } from '../email.js';

/** Field rules shared by every DTO that takes an email, password or name. */
export const EmailField = () =>
  applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? normalizeEmail(value) : value)),
    IsEmail({}, { message: 'email must be an email address' }),
    MaxLength(254),
  );

export const PasswordField = () =>
  applyDecorators(IsString(), Length(8, 128, { message: 'password must be 8 to 128 characters' }));

export const NameField = () =>
  applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
    IsString(),
    Length(1, 100, { message: 'name must be 1 to 100 characters' }),
  );
