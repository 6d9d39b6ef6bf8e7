import { Body, Controller, Delete, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AccountsService } from './accounts.service.js';
import { AuthMode } from './auth-mode.js';
import type { AuthUser } from './auth-user.js';
import { Auth } from './decorators/auth.decorator.js';
import { CurrentUser } from './decorators/current-user.decorator.js';
import { ChangePasswordDto, DeleteAccountDto } from './dto/account.dto.js';

/** The account operations that end logins; the profile itself is in users/. */
@ApiTags('users')
@Auth(AuthMode.Session, AuthMode.Jwt)
@Controller('users/me')
export class AccountController {
  constructor(private readonly accounts: AccountsService) {}

  /** Changes the password. Every other login (cookie or token) ends; this one stays. */
  @Post('password')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Changed; other logins revoked' })
  @ApiUnauthorizedResponse({ description: 'Not logged in, or the current password is wrong' })
  async changePassword(@CurrentUser() user: AuthUser, @Body() dto: ChangePasswordDto): Promise<void> {
    await this.accounts.changePassword(user, dto.currentPassword, dto.newPassword);
  }

  /** Deletes the account with its logins and notes; every credential of it stops working. */
  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiUnauthorizedResponse({ description: 'Not logged in, or the password is wrong' })
  async delete(@CurrentUser() user: AuthUser, @Body() dto: DeleteAccountDto): Promise<void> {
    await this.accounts.deleteOwnAccount(user, dto.password);
  }
}
