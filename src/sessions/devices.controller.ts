import { Controller, Delete, Get, HttpCode, HttpStatus, NotFoundException, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, AuthMode, CurrentUser, type AuthUser } from '../auth-decorators/index.js';
import { DeviceResponse } from './dto/device.response.js';
import { LoginsService } from './logins.service.js';

/** Every login of the caller — cookie sessions and token logins alike — to see and to end. */
@ApiTags('devices')
@Auth(AuthMode.Session, AuthMode.Jwt)
@Controller('auth/sessions')
export class DevicesController {
  constructor(private readonly logins: LoginsService) {}

  /**
   * Active logins, most recently used first; `current` marks the one making this request. An
   * array by contract, without paging: MAX_LOGINS_PER_USER bounds it.
   */
  @Get()
  @ApiOkResponse({ type: [DeviceResponse] })
  async list(@CurrentUser() user: AuthUser): Promise<DeviceResponse[]> {
    return (await this.logins.listActive(user.id)).map((login) => DeviceResponse.from(login, user.loginId));
  }

  /** Logs that device out everywhere: its cookie, refresh token and access tokens stop working. */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiNotFoundResponse({ description: 'No such active login of yours' })
  async revoke(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    if (!(await this.logins.revoke(user.id, id, 'device'))) throw new NotFoundException('Login not found');
  }

  /** Logs out every other device; this one stays logged in. */
  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  async revokeOthers(@CurrentUser() user: AuthUser): Promise<void> {
    await this.logins.revokeAllExcept(user.id, 'other-devices', user.loginId);
  }
}
