import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';
import { normalizeEmail } from '../email.js';

/**
 * Characters that render as nothing or as blank space, so an email holding one would look like
 * another account's: controls, format characters (U+200B, U+200D, U+2060, U+FEFF, U+00AD…),
 * other default ignorables, every space and line or paragraph separator (U+2003, U+2028…) and
 * the blank braille pattern U+2800. Unassigned and private-use code points are refused too:
 * a later Unicode version could give them case mappings, and stored forms would drift.
 */
const NO_INVISIBLE_CHARACTERS = /^[^\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Z}\p{Default_Ignorable_Code_Point}\u2800]*$/u;

/** Field rules shared by every DTO that takes an email, password or name. */
export const EmailField = () =>
  applyDecorators(
    Transform(({ value }): unknown => (typeof value === 'string' ? normalizeEmail(value) : value)),
    IsEmail({}, { message: 'email must be an email address' }),
    Matches(NO_INVISIBLE_CHARACTERS, { message: 'email must not contain invisible characters' }),
    MaxLength(254),
  );

export const PasswordField = () =>
  applyDecorators(IsString(), Length(8, 128, { message: 'password must be 8 to 128 characters' }));

export const NameField = () =>
  applyDecorators(
    Transform(({ value }): unknown => (typeof value === 'string' ? value.trim() : value)),
    IsString(),
    Length(1, 100, { message: 'name must be 1 to 100 characters' }),
  );
