import { BadRequestException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { LoginLockoutService } from '../abuse/login-lockout.service.js';
import { MfaChallengesService } from '../mfa/mfa-challenges.service.js';
import { MfaService } from '../mfa/mfa.service.js';
import type { TokenPairResponse } from '../tokens/dto/token-pair.response.js';
import { UsersService } from '../users/users.service.js';
import { clientInfo } from './client-info.js';
import type { SessionLoginResponse } from './dto/session-login.response.js';
import { LoginStarter } from './login-starter.service.js';

const UNKNOWN_CHALLENGE = 'Unknown, expired or used challenge; log in again';

/**
 * The second step of a password login with MFA on: a code for the challenge completes the login
 * that asked for it, with that login's own answer. Codes count toward the same lockout as
 * passwords (the email's pair and account counts), and only a completed login resets them.
 */
@Injectable()
export class MfaLoginService {
  constructor(
    private readonly challenges: MfaChallengesService,
    private readonly mfa: MfaService,
    private readonly users: UsersService,
    private readonly lockout: LoginLockoutService,
    private readonly loginStarter: LoginStarter,
  ) {}

  async verify(
    challengeId: string,
    code: string,
    req: Request,
    res: Response,
  ): Promise<SessionLoginResponse | TokenPairResponse> {
    const challenge = await this.challenges.findOpen(challengeId);
    const user = challenge && (await this.users.findById(challenge.userId));
    if (!challenge || !user) throw new BadRequestException(UNKNOWN_CHALLENGE);
    const subject = `login:${user.email}`;
    await this.lockout.attempt(subject, req.ip, res);
    const mode = challenge.kind;
    const factor = await this.mfa.verify({ userId: user.id, mode, ...clientInfo(req) }, code);
    if (!factor) throw new UnauthorizedException('Wrong code');
    // Single use: of two requests with right codes, one completes the login.
    if (!(await this.challenges.consume(challenge.id))) throw new BadRequestException(UNKNOWN_CHALLENGE);
    await this.lockout.reset(subject, req.ip);
    // The password version checked at the first step: a change since then fails the login.
    const checked = { ...user, credentialsVersion: challenge.credentialsVersion };
    return mode === 'session'
      ? this.loginStarter.session(checked, req, true)
      : this.loginStarter.token(checked, req, true);
  }
}
