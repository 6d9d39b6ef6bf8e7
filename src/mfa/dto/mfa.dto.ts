import { IsString, Matches } from 'class-validator';

export class ConfirmTotpDto {
  /** The 6-digit code the authenticator app shows. @example "123456" */
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code: string;
}

export class TotpEnrolmentResponse {
  /** Base32 secret for the authenticator app; shown this once. @example "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" */
  secret: string;
  /** The same as an `otpauth://` URL, for a QR code. @example "otpauth://totp/nest-dual-auth:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=nest-dual-auth" */
  otpauthUrl: string;
}

export class RecoveryCodesResponse {
  /** 10 single-use codes for when the authenticator is lost; shown this once. @example ["ABCD-EFGH-JKMN-PQRS"] */
  recoveryCodes: string[];
}
