import { Injectable, ValidationPipe, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request, Response } from 'express';
import { LoginLockoutService } from '../abuse/login-lockout.service.js';
import { AuditService } from '../audit/audit.service.js';
import { LOCAL_STRATEGY } from './auth-mode.js';
import { clientInfo } from './client-info.js';
import { LoginDto } from './dto/login.dto.js';
import { LocalStrategy } from './local.strategy.js';
import passport from 'passport';

/**
 * Validates the login body first (guards run before pipes, and a malformed body is a 400, not
 * a failed login), then runs the local strategy, which leaves the user on `request.user`.
 * A failed attempt is recorded here: the strategy itself only authenticates.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard(LOCAL_STRATEGY) {
  private readonly validation = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });

  constructor(
    private readonly audit: AuditService,
    private readonly lockout: LoginLockoutService,
    private readonly strategy: LocalStrategy,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const body = (await this.validation.transform(request.body ?? {}, { type: 'body', metatype: LoginDto })) as LoginDto;
    request.body = body;
    try {
      await this.lockout.attempt(`login:${body.email}`, request.ip, http.getResponse<Response>());
    } catch (error) {
      this.audit.record({ type: 'login.locked', email: body.email, mode: loginMode(request), ...clientInfo(request) });
      throw error;
    }
    // Passport's strategy registry is process-wide: with several apps in one process (the
    // multi-instance tests), the strategy of the app handling this request must be the one used.
    passport.use(LOCAL_STRATEGY, this.strategy);
    await super.canActivate(context);
    await this.lockout.reset(`login:${body.email}`, request.ip);
    return true;
  }

  override handleRequest<TUser>(error: unknown, user: TUser, info: unknown, context: ExecutionContext, status?: unknown): TUser {
    if (error || !user) {
      const request = context.switchToHttp().getRequest<Request>();
      this.audit.record({ type: 'login.failed', email: (request.body as LoginDto).email, mode: loginMode(request), ...clientInfo(request) });
    }
    return super.handleRequest(error, user, info, context, status);
  }
}

function loginMode(request: Request): 'session' | 'token' {
  return /\/session\/login\/*$/i.test(request.path) ? 'session' : 'token';
}
