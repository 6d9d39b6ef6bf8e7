import { Controller, Get, HttpCode, HttpStatus, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiExtraModels,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { CsrfService } from '../sessions/csrf.service.js';
import { LoginsService } from '../sessions/logins.service.js';
import { sessionCookieName, sessionCookieOptions } from '../sessions/session.middleware.js';
import type { User } from '../users/user.entity.js';
import { AuthMode } from '../auth-decorators/auth-mode.js';
import type { AuthUser } from '../auth-decorators/auth-user.js';
import { Auth, Public } from '../auth-decorators/auth.decorator.js';
import { CurrentUser } from '../auth-decorators/current-user.decorator.js';
import { LoginDto } from './dto/login.dto.js';
import { MfaRequiredResponse } from './dto/mfa-login.dto.js';
import { CsrfTokenResponse, SessionLoginResponse } from './dto/session-login.response.js';
import { LocalAuthGuard } from './local-auth.guard.js';
import { LoginStarter } from './login-starter.service.js';

@ApiTags('auth: session')
@Controller('auth')
export class SessionAuthController {
  constructor(
    private readonly logins: LoginsService,
    private readonly csrf: CsrfService,
    @Inject(ConfigService) private readonly config: AppConfigService,
    private readonly loginStarter: LoginStarter,
  ) {}

  /**
   * Logs in with a server-side session: sets the session cookie (a new session id every time, so
   * a planted one is never adopted) and returns the CSRF token for state-changing requests.
   */
  @Post('session/login')
  // The body is validated (and documented) once: LocalAuthGuard checks it before Passport runs.
  @ApiBody({ type: LoginDto })
  @Public()
  @UseGuards(LocalAuthGuard)
  @HttpCode(HttpStatus.OK)
  @ApiExtraModels(SessionLoginResponse, MfaRequiredResponse)
  @ApiOkResponse({
    description:
      'Logged in; or, with a second factor on, `{mfaRequired, challengeId}` only (complete at POST /api/auth/mfa/verify)',
    schema: { oneOf: [{ $ref: getSchemaPath(SessionLoginResponse) }, { $ref: getSchemaPath(MfaRequiredResponse) }] },
  })
  @ApiBadRequestResponse({ description: 'Malformed email or missing password' })
  @ApiUnauthorizedResponse({ description: 'Invalid email or password' })
  @ApiTooManyRequestsResponse({
    description: 'Too many failed attempts for this email, from this address or from any; see Retry-After',
  })
  async login(@Req() req: Request): Promise<SessionLoginResponse | MfaRequiredResponse> {
    const user = req.user as unknown as User;
    return this.loginStarter.afterPassword(user, 'session', () => this.loginStarter.session(user, req));
  }

  /** Ends this session: the login record is revoked, the session deleted, the cookie cleared. */
  @Post('session/logout')
  @Auth(AuthMode.Session)
  @HttpCode(HttpStatus.NO_CONTENT)
  async logout(
    @CurrentUser() user: AuthUser,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    await this.logins.revoke(user.id, user.loginId, 'logout');
    await new Promise<void>((resolve, reject) => req.session.destroy((error) => (error ? reject(error) : resolve())));
    const session = { session: this.config.get('session', { infer: true }) };
    res.clearCookie(sessionCookieName(session), sessionCookieOptions(session));
  }

  /** The session's CSRF token, for a page that lost it. */
  @Get('csrf')
  @Auth(AuthMode.Session)
  @ApiOkResponse({ type: CsrfTokenResponse })
  csrfToken(@Req() req: Request): CsrfTokenResponse {
    return { csrfToken: this.csrf.issue(req) };
  }
}
