import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Auth, AuthMode, CurrentUser, type AuthUser } from '../auth-decorators/index.js';
import { UpdateMeDto } from './dto/update-me.dto.js';
import { UserResponse } from './dto/user.response.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Auth(AuthMode.Session, AuthMode.Jwt)
@Controller('users/me')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** The caller's account. */
  @Get()
  async me(@CurrentUser() user: AuthUser): Promise<UserResponse> {
    // From the user cache: a change made on any instance shows here within the broadcast's delay.
    return UserResponse.from(await this.users.getProfile(user.id));
  }

  /** Changes the caller's display name. */
  @Patch()
  async update(@CurrentUser() user: AuthUser, @Body() dto: UpdateMeDto): Promise<UserResponse> {
    return UserResponse.from(await this.users.updateProfile(user.id, { name: dto.name }));
  }
}
