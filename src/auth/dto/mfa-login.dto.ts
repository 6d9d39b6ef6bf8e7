import { IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { Omittable } from '../../common/omittable.js';

export class MfaRequiredResponse {
  /** Always true: the password was right; send a code to POST /api/auth/mfa/verify. @example true */
  mfaRequired: true;
  /** Names this pending login; valid for 5 minutes, once. @example "0b8f7a52-3c1e-4d2a-9f6b-5e4d3c2b1a09" */
  challengeId: string;
}

export class MfaVerifyDto {
  /** From the login's `{mfaRequired, challengeId}` answer. @example "0b8f7a52-3c1e-4d2a-9f6b-5e4d3c2b1a09" */
  @IsUUID()
  challengeId: string;

  /** The 6-digit TOTP code, or one of the recovery codes. @example "123456" */
  @IsString()
  @MinLength(6)
  @MaxLength(32)
  code: string;
}

export class ReauthenticateDto {
  /** @example "correct horse battery staple" */
  @IsString()
  @MaxLength(128)
  password: string;

  /** Required when the second factor is on: a TOTP code or a recovery code. @example "123456" */
  @Omittable()
  @IsString()
  @MinLength(6)
  @MaxLength(32)
  code?: string;
}
