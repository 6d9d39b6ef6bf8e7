import { Body, Controller, HttpCode, HttpStatus, Post, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { TokenPairResponse } from '../tokens/dto/token-pair.response.js';
import { AuthMode } from '../auth-decorators/auth-mode.js';
import type { AuthUser } from '../auth-decorators/auth-user.js';
import { Auth, Public } from '../auth-decorators/auth.decorator.js';
import { CurrentUser } from '../auth-decorators/current-user.decorator.js';
import { MfaVerifyDto, ReauthenticateDto } from './dto/mfa-login.dto.js';
import { SessionLoginResponse } from './dto/session-login.response.js';
import { MfaLoginService } from './mfa-login.service.js';
import { ReauthenticationService } from './reauthentication.service.js';

/** The second factor of a login, and step-up for `@Fresh()` routes. */
@ApiTags('auth: second factor')
@Controller('auth')
export class StepUpController {
  constructor(
    private readonly mfaLogin: MfaLoginService,
    private readonly reauthentication: ReauthenticationService,
  ) {}

  /**
   * Completes a password login that answered `{mfaRequired, challengeId}`, with a TOTP code or a
   * recovery code: the session login's answer (and cookie) or the token login's pair.
   */
  @Post('mfa/verify')
  @Public()
  @HttpCode(HttpStatus.OK)
  @ApiExtraModels(SessionLoginResponse, TokenPairResponse)
  @ApiOkResponse({
    description: 'The login the challenge belongs to is done',
    schema: { oneOf: [{ $ref: getSchemaPath(SessionLoginResponse) }, { $ref: getSchemaPath(TokenPairResponse) }] },
  })
  @ApiBadRequestResponse({ description: 'Unknown, expired or used challenge' })
  @ApiUnauthorizedResponse({ description: 'Wrong code' })
  @ApiTooManyRequestsResponse({ description: 'Too many wrong passwords or codes for this email; see Retry-After' })
  verify(
    @Body() dto: MfaVerifyDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionLoginResponse | TokenPairResponse> {
    return this.mfaLogin.verify(dto.challengeId, dto.code, req, res);
  }

  /**
   * Proves the password again (and a code when MFA is on) for the current login, so `@Fresh()`
   * routes accept it: 204 for a session; a new token pair (same `sid`, fresh `auth_time`, the
   * previous refresh token retired) for a bearer token.
   */
  @Post('reauthenticate')
  @Auth(AuthMode.Session, AuthMode.Jwt)
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: TokenPairResponse, description: 'Bearer requests: the new token pair' })
  @ApiNoContentResponse({ description: 'Session requests: the session is fresh' })
  @ApiUnauthorizedResponse({ description: 'Wrong password or code, or a code missing while MFA is on' })
  @ApiTooManyRequestsResponse({ description: 'Too many wrong passwords' })
  async reauthenticate(
    @CurrentUser() user: AuthUser,
    @Body() dto: ReauthenticateDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokenPairResponse | undefined> {
    const pair = await this.reauthentication.reauthenticate(user, dto.password, dto.code, req, res);
    if (pair) return pair;
    res.status(HttpStatus.NO_CONTENT);
    return undefined;
  }
}
