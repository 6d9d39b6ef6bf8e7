import { Body, Controller, HttpCode, HttpStatus, Post, Req, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { RefreshTokenDto } from '../tokens/dto/refresh-token.dto.js';
import { TokenPairResponse } from '../tokens/dto/token-pair.response.js';
import { TokensService } from '../tokens/tokens.service.js';
import type { User } from '../users/user.entity.js';
import { clientInfo } from './client-info.js';
import { Public } from '../auth-decorators/auth.decorator.js';
import { LoginDto } from './dto/login.dto.js';
import { MfaRequiredResponse } from './dto/mfa-login.dto.js';
import { LocalAuthGuard } from './local-auth.guard.js';
import { LoginStarter } from './login-starter.service.js';

@ApiTags('auth: token')
@Public()
@Controller('auth/token')
export class TokenAuthController {
  constructor(
    private readonly tokens: TokensService,
    private readonly loginStarter: LoginStarter,
  ) {}

  /** Logs in for a token pair. The same credential check as session login. */
  @Post('login')
  // The body is validated (and documented) once: LocalAuthGuard checks it before Passport runs.
  @ApiBody({ type: LoginDto })
  @UseGuards(LocalAuthGuard)
  @HttpCode(HttpStatus.OK)
  @ApiExtraModels(TokenPairResponse, MfaRequiredResponse)
  @ApiOkResponse({
    description:
      'A token pair; or, with a second factor on, `{mfaRequired, challengeId}` only (complete at POST /api/auth/mfa/verify)',
    schema: { oneOf: [{ $ref: getSchemaPath(TokenPairResponse) }, { $ref: getSchemaPath(MfaRequiredResponse) }] },
  })
  @ApiBadRequestResponse({ description: 'Malformed email or missing password' })
  @ApiUnauthorizedResponse({ description: 'Invalid email or password' })
  @ApiTooManyRequestsResponse({
    description: 'Too many failed attempts for this email, from this address or from any; see Retry-After',
  })
  async login(@Req() req: Request): Promise<TokenPairResponse | MfaRequiredResponse> {
    const user = req.user as unknown as User;
    return this.loginStarter.afterPassword(user, 'token', () => this.loginStarter.token(user, req));
  }

  /**
   * Exchanges a refresh token for a new pair; the old one is retired. Presenting a retired
   * token again revokes the whole login (theft detection); within JWT_REFRESH_REUSE_GRACE
   * (default 2 s) of its use it is just a 401, so two tabs refreshing at once do not log each
   * other out.
   */
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: TokenPairResponse })
  @ApiUnauthorizedResponse({ description: 'Unknown, expired, used or revoked refresh token' })
  refresh(@Req() req: Request, @Body() dto: RefreshTokenDto): Promise<TokenPairResponse> {
    return this.tokens.refresh(dto.refreshToken, clientInfo(req));
  }

  /** Ends the token login: its access tokens stop working at once, everywhere. */
  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'The login is revoked' })
  @ApiUnauthorizedResponse({ description: 'Unknown, expired or used refresh token' })
  async logout(@Body() dto: RefreshTokenDto): Promise<void> {
    await this.tokens.logout(dto.refreshToken);
  }
}
