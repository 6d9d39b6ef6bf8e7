import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AuditService } from '../audit/audit.service.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import type { User } from '../users/user.entity.js';
import { clientInfo } from './client-info.js';

export const EMAIL_NOT_VERIFIED = 'email_not_verified';

/**
 * REQUIRE_VERIFIED_EMAIL: a login of an account whose address is not verified ends in 403.
 * Asked only after the password check, so the answer tells nothing to someone without the
 * password. The owner can still verify: the link works without a login, and a password reset
 * verifies the address too.
 */
@Injectable()
export class VerifiedEmailPolicy {
  private readonly required: boolean;

  constructor(
    private readonly audit: AuditService,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.required = config.get('recovery.requireVerifiedEmail', { infer: true });
  }

  check(user: User, req: Request, mode: 'session' | 'token'): void {
    if (!this.required || user.emailVerified) return;
    this.audit.record({
      type: 'login.failed',
      userId: user.id,
      mode,
      ...clientInfo(req),
      details: { reason: EMAIL_NOT_VERIFIED },
    });
    throw new ForbiddenException({
      statusCode: 403,
      message: 'The email address of this account is not verified yet: follow the link in the verification mail',
      error: EMAIL_NOT_VERIFIED,
    });
  }
}
