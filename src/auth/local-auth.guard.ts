import { Injectable, ValidationPipe, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { AuditService } from '../audit/audit.service.js';
import { LOCAL_STRATEGY } from './auth-mode.js';
import { clientInfo } from './client-info.js';
import { LoginDto } from './dto/login.dto.js';

/**
 * Validates the login body first (guards run before pipes, and a malformed body is a 400, not
 * a failed login), then runs the local strategy, which leaves the user on `request.user`.
 * A failed attempt is recorded here: the strategy itself only authenticates.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard(LOCAL_STRATEGY) {
  private readonly validation = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });

  constructor(private readonly audit: AuditService) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    request.body = await this.validation.transform(request.body ?? {}, { type: 'body', metatype: LoginDto });
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser>(error: unknown, user: TUser, info: unknown, context: ExecutionContext, status?: unknown): TUser {
    if (error || !user) {
      const request = context.switchToHttp().getRequest<Request>();
      this.audit.record({ type: 'login.failed', email: (request.body as LoginDto).email, mode: loginMode(request), ...clientInfo(request) });
    }
    return super.handleRequest(error, user, info, context, status);
  }
}

export function loginMode(request: Request): 'session' | 'token' {
  return request.path.endsWith('/session/login') ? 'session' : 'token';
}
