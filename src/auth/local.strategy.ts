import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { LOCAL_STRATEGY } from './strategy-names.js';

/** One message whatever was wrong, so the answer does not tell which emails exist. */
export const INVALID_CREDENTIALS = 'Invalid email or password';

/** The one credential check, shared by session and token login. Authenticates only. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, LOCAL_STRATEGY) {
  constructor(private readonly users: UsersService) {
    super({ usernameField: 'email', passwordField: 'password', session: false });
  }

  async validate(email: string, password: string): Promise<User> {
    const user = await this.users.verifyCredentials(email, password);
    if (!user) throw new UnauthorizedException(INVALID_CREDENTIALS);
    return user;
  }
}
