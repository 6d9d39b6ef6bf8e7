import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { UserResponse } from '../users/dto/user.response.js';
import { UsersService } from '../users/users.service.js';
import { Public } from '../auth-decorators/auth.decorator.js';
import { RegisterDto } from './dto/register.dto.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly users: UsersService) {}

  /** Creates an account. It does not log in: choose a session or a token login next. */
  @Post('register')
  @Public()
  @HttpCode(HttpStatus.CREATED)
  @ApiCreatedResponse({ type: UserResponse, description: 'The new account' })
  @ApiBadRequestResponse({ description: 'Invalid email, password length or unknown field' })
  @ApiConflictResponse({ description: 'Email is already registered' })
  async register(@Body() dto: RegisterDto): Promise<UserResponse> {
    return UserResponse.from(await this.users.create(dto));
  }
}
