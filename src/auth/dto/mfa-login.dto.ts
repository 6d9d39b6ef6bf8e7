import { IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';

export class MfaRequiredResponse {
  /** Always true: the password was right; send a code to POST /api/auth/mfa/verify. */
  mfaRequired: true;
  /** Names this pending login; valid for 5 minutes, once. */
  challengeId: string;
}

export class MfaVerifyDto {
  /** From the login's `{mfaRequired, challengeId}` answer. */
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

  /** Required when the second factor is on: a TOTP code or a recovery code. */
  @IsOptional()
  @IsString()
  @MinLength(6)
  @MaxLength(32)
  code?: string;
}
