import { Body, Controller, HttpCode, HttpStatus, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNoContentResponse, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { Inject } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { LoginsService } from '../sessions/logins.service.js';
import { RefreshTokenDto } from '../tokens/dto/refresh-token.dto.js';
import { TokenPairResponse } from '../tokens/dto/token-pair.response.js';
import { TokensService } from '../tokens/tokens.service.js';
import type { User } from '../users/user.entity.js';
import { clientInfo } from './client-info.js';
import { Public } from './decorators/auth.decorator.js';
import { LoginDto } from './dto/login.dto.js';
import { LocalAuthGuard } from './local-auth.guard.js';

@ApiTags('auth: token')
@Public()
@Controller('auth/token')
export class TokenAuthController {
  constructor(
    private readonly tokens: TokensService,
    private readonly logins: LoginsService,
    @Inject(ConfigService) private readonly config: AppConfigService,
    private readonly audit: AuditService,
  ) {}

  /** Logs in for a token pair. The same credential check as session login. */
  @Post('login')
  @UseGuards(LocalAuthGuard)
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: TokenPairResponse })
  @ApiBadRequestResponse({ description: 'Malformed email or missing password' })
  @ApiUnauthorizedResponse({ description: 'Invalid email or password' })
  async login(@Req() req: Request, @Body() _body: LoginDto): Promise<TokenPairResponse> {
    const user = req.user as unknown as User;
    const refreshTtlMs = this.config.get('jwt.refreshTtlMs', { infer: true });
    const login = await this.logins.create({
      userId: user.id,
      kind: 'token',
      idleTtlMs: refreshTtlMs,
      absoluteTtlMs: refreshTtlMs,
      ...clientInfo(req),
    });
    const pair = await this.tokens.issue(login, user.roles);
    this.audit.record({ type: 'login.succeeded', userId: user.id, loginId: login.id, mode: 'token', ...clientInfo(req) });
    return pair;
  }

  /**
   * Exchanges a refresh token for a new pair; the old one is retired. Presenting a retired
   * token again revokes the whole login (theft detection); within 10 s of its use it is just a
   * 401, so two tabs refreshing at once do not log each other out.
   */
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: TokenPairResponse })
  @ApiUnauthorizedResponse({ description: 'Unknown, expired, used or revoked refresh token' })
  refresh(@Body() dto: RefreshTokenDto): Promise<TokenPairResponse> {
    return this.tokens.refresh(dto.refreshToken);
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
