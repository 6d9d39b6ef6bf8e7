import { Injectable, ValidationPipe, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request, Response } from 'express';
import { LoginLockoutService } from '../abuse/login-lockout.service.js';
import type { AuditEventType } from '../audit/audit-event.entity.js';
import { AuditService } from '../audit/audit.service.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { isSessionLogin } from '../sessions/session.middleware.js';
import { LOCAL_STRATEGY } from './strategy-names.js';
import { clientInfo } from './client-info.js';
import { LoginDto } from './dto/login.dto.js';
import { LocalStrategy } from './local.strategy.js';
import { VerifiedEmailPolicy } from './verified-email.policy.js';
import passport from 'passport';

/**
 * Validates the login body first (guards run before pipes, and a malformed body is a 400, not
 * a failed login), then runs the local strategy, which leaves the user on `request.user`.
 * A failed or locked attempt is recorded here: the strategy itself only authenticates.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard(LOCAL_STRATEGY) {
  private readonly validation = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });

  constructor(
    private readonly audit: AuditService,
    private readonly lockout: LoginLockoutService,
    private readonly strategy: LocalStrategy,
    private readonly users: UsersService,
    private readonly verifiedEmail: VerifiedEmailPolicy,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const body = (await this.validation.transform(request.body ?? {}, {
      type: 'body',
      metatype: LoginDto,
    })) as LoginDto;
    request.body = body;
    try {
      await this.lockout.attempt(`login:${body.email}`, request.ip, http.getResponse<Response>());
    } catch (error) {
      this.recordAttempt('login.locked', body.email, request);
      throw error;
    }
    // Passport's strategy registry is process-wide: with several apps in one process (the
    // multi-instance tests), the strategy of the app handling this request must be the one used.
    passport.use(LOCAL_STRATEGY, this.strategy);
    await super.canActivate(context);
    // With a second factor on, the login is not done yet: the attempt is taken back, and only
    // the completed login (POST /api/auth/mfa/verify) resets the counts.
    if ((request.user as unknown as User).mfaEnabled) await this.lockout.release(`login:${body.email}`, request.ip);
    else await this.lockout.reset(`login:${body.email}`, request.ip);
    this.verifiedEmail.check(request.user as User, request, loginMode(request));
    return true;
  }

  override handleRequest<TUser>(
    error: unknown,
    user: TUser,
    info: unknown,
    context: ExecutionContext,
    status?: unknown,
  ): TUser {
    if (error || !user) {
      const request = context.switchToHttp().getRequest<Request>();
      this.recordAttempt('login.failed', (request.body as LoginDto).email, request);
    }
    return super.handleRequest(error, user, info, context, status);
  }

  /**
   * The account's owner sees attempts on it in their activity, so an existing email is recorded
   * by user id; an unknown one only as a keyed hash. The lookup runs for both and is not awaited:
   * the answer neither waits for it nor tells the two apart.
   */
  private recordAttempt(
    type: Extract<AuditEventType, 'login.failed' | 'login.locked'>,
    email: string,
    request: Request,
  ): void {
    const entry = { type, mode: loginMode(request), ...clientInfo(request) };
    this.audit.recordWhenReady(
      this.users.findByEmail(email).then((user) => (user ? { ...entry, userId: user.id } : { ...entry, email })),
    );
  }
}

function loginMode(request: Request): 'session' | 'token' {
  return isSessionLogin(request.path) ? 'session' : 'token';
}
