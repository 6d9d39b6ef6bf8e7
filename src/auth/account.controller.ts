import { Body, Controller, Delete, HttpCode, HttpStatus, Post, Req, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { LoginLockoutService } from '../abuse/login-lockout.service.js';
import { AccountsService } from './accounts.service.js';
import { AuthMode } from '../auth-decorators/auth-mode.js';
import type { AuthUser } from '../auth-decorators/auth-user.js';
import { Auth } from '../auth-decorators/auth.decorator.js';
import { CurrentUser } from '../auth-decorators/current-user.decorator.js';
import { ChangePasswordDto, DeleteAccountDto } from './dto/account.dto.js';

/** The account operations that end logins; the profile itself is in users/. */
@ApiTags('users')
@Auth(AuthMode.Session, AuthMode.Jwt)
@Controller('users/me')
export class AccountController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly lockout: LoginLockoutService,
  ) {}

  /** A stolen session must not become a way to guess the password: these checks are limited too. */
  private async limited(user: AuthUser, req: Request, res: Response, check: () => Promise<void>): Promise<void> {
    const subject = `password:${user.id}`;
    await this.lockout.attempt(subject, req.ip, res);
    await check();
    await this.lockout.reset(subject, req.ip);
  }

  /** Changes the password. Every other login (cookie or token) ends; this one stays. */
  @Post('password')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Changed; other logins revoked' })
  @ApiUnauthorizedResponse({ description: 'Not logged in, or the current password is wrong' })
  @ApiTooManyRequestsResponse({ description: 'Too many wrong passwords' })
  async changePassword(
    @CurrentUser() user: AuthUser,
    @Body() dto: ChangePasswordDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    await this.limited(user, req, res, () => this.accounts.changePassword(user, dto.currentPassword, dto.newPassword));
  }

  /** Deletes the account with its logins and notes; every credential of it stops working. */
  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiUnauthorizedResponse({ description: 'Not logged in, or the password is wrong' })
  async delete(
    @CurrentUser() user: AuthUser,
    @Body() dto: DeleteAccountDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    await this.limited(user, req, res, () => this.accounts.deleteOwnAccount(user, dto.password));
  }
}
