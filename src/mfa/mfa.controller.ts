import { Body, Controller, Delete, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Auth, AuthMode, CurrentUser, Fresh, loginKindOf, type AuthUser } from '../auth-decorators/index.js';
import { ConfirmTotpDto, RecoveryCodesResponse, TotpEnrolmentResponse } from './dto/mfa.dto.js';
import { MfaService, type MfaActor } from './mfa.service.js';

/** The caller's second factor. Every change is a fresh route: a borrowed session cannot turn it off. */
@ApiTags('users')
@Auth(AuthMode.Session, AuthMode.Jwt)
@Fresh()
@Controller('users/me/mfa')
export class MfaController {
  constructor(private readonly mfa: MfaService) {}

  /** Starts TOTP enrolment: the secret for an authenticator app, pending until confirmed. */
  @Post('totp')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: TotpEnrolmentResponse })
  @ApiConflictResponse({ description: 'The second factor is already on' })
  enrol(@CurrentUser() user: AuthUser): Promise<TotpEnrolmentResponse> {
    return this.mfa.beginEnrolment(user.id);
  }

  /** Confirms enrolment with a first code: MFA is on; the 10 recovery codes are shown this once. */
  @Post('totp/confirm')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: RecoveryCodesResponse })
  @ApiBadRequestResponse({ description: 'Wrong code, or no enrolment pending' })
  @ApiConflictResponse({ description: 'The second factor is already on' })
  confirm(
    @CurrentUser() user: AuthUser,
    @Body() dto: ConfirmTotpDto,
    @Req() req: Request,
  ): Promise<RecoveryCodesResponse> {
    return this.mfa.confirmEnrolment(actor(user, req), dto.code);
  }

  /** Turns the second factor off; its secret and recovery codes are deleted. */
  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Off' })
  async disable(@CurrentUser() user: AuthUser, @Req() req: Request): Promise<void> {
    await this.mfa.disable(actor(user, req));
  }
}

function actor(user: AuthUser, req: Request): MfaActor {
  return {
    userId: user.id,
    loginId: user.loginId,
    mode: loginKindOf(user),
    ip: req.ip,
    userAgent: req.get('user-agent'),
  };
}
