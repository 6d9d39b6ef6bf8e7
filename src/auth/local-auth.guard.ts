import { Injectable, ValidationPipe, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { LOCAL_STRATEGY } from './auth-mode.js';
import { LoginDto } from './dto/login.dto.js';

/**
 * Validates the login body first (guards run before pipes, and a malformed body is a 400, not
 * a failed login), then runs the local strategy, which leaves the user on `request.user`.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard(LOCAL_STRATEGY) {
  private readonly validation = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    request.body = await this.validation.transform(request.body ?? {}, { type: 'body', metatype: LoginDto });
    return (await super.canActivate(context)) as boolean;
  }
}
