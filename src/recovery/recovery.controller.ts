import { Body, Controller, HttpCode, HttpStatus, Post, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AuthMode } from '../auth-decorators/auth-mode.js';
import type { AuthUser } from '../auth-decorators/auth-user.js';
import { Auth, Public } from '../auth-decorators/auth.decorator.js';
import { CurrentUser } from '../auth-decorators/current-user.decorator.js';
import { ForgotPasswordDto, MailRequestedResponse, ResetPasswordDto, VerifyEmailDto } from './dto/recovery.dto.js';
import { EmailVerificationService } from './email-verification.service.js';
import { PasswordResetService } from './password-reset.service.js';

/** One body for every address: the answer never tells whether an account has it. */
const MAIL_REQUESTED: MailRequestedResponse = {
  message: 'If an account has this address, a mail with a link is on its way',
};

@ApiTags('auth: recovery')
@Controller('auth')
export class RecoveryController {
  constructor(
    private readonly resets: PasswordResetService,
    private readonly verification: EmailVerificationService,
  ) {}

  /**
   * Mails a single-use password-reset link (PASSWORD_RESET_TTL, default 30 minutes) if an
   * account has this address. The same answer, in the same time, for every address. Without
   * SMTP_URL the mail is written to DATA_DIR/outbox/ and its file path is logged.
   */
  @Post('password/forgot')
  @Public()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({
    type: MailRequestedResponse,
    description: 'Accepted, whether or not an account has the address',
  })
  @ApiBadRequestResponse({ description: 'Not an email address, or unknown fields' })
  @ApiTooManyRequestsResponse({
    description: 'Too many requests for this address or from this IP (RECOVERY_MAX_PER_EMAIL, RECOVERY_MAX_PER_IP)',
  })
  async forgot(
    @Body() dto: ForgotPasswordDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MailRequestedResponse> {
    await this.resets.request(dto.email, req, res);
    return MAIL_REQUESTED;
  }

  /** Sets a new password with the token from the reset mail; every login of the account ends. */
  @Post('password/reset')
  @Public()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Password set; every session and token login of the account has ended' })
  @ApiBadRequestResponse({ description: 'The token is invalid, used or expired, or the new password breaks the rules' })
  async reset(@Body() dto: ResetPasswordDto, @Req() req: Request): Promise<void> {
    await this.resets.reset(dto.token, dto.newPassword, req);
  }

  /** Confirms the address with the token from the verification mail. */
  @Post('email/verify')
  @Public()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'The address is verified (`emailVerified` is true)' })
  @ApiBadRequestResponse({ description: 'The token is invalid, used or expired' })
  async verify(@Body() dto: VerifyEmailDto, @Req() req: Request): Promise<void> {
    await this.verification.verify(dto.token, req);
  }

  /** Mails the caller another verification link (nothing is sent once the address is verified). */
  @Post('email/resend')
  @Auth(AuthMode.Session, AuthMode.Jwt)
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: MailRequestedResponse, description: 'Accepted' })
  @ApiTooManyRequestsResponse({ description: 'Too many mail requests for this address or from this IP' })
  async resend(
    @CurrentUser() user: AuthUser,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MailRequestedResponse> {
    await this.verification.resend(user, req, res);
    return MAIL_REQUESTED;
  }
}
