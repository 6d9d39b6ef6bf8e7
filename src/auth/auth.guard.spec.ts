import { describe, expect, it, jest } from '@jest/globals';
import { ForbiddenException, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CsrfService } from '../sessions/csrf.service.js';
import type { LoginsService } from '../sessions/logins.service.js';
import { DatabaseShutdown } from '../database/database-shutdown.js';
import { LocalBroadcast } from '../tokens/revocation-broadcast.js';
import { RevocationListService } from '../tokens/revocation-list.service.js';
import { accessTokensService, jwtConfigService, jwtTestConfig } from '../tokens/tokens.fixture.js';
import type { UsersService } from '../users/users.service.js';
import { AuthMode } from '../auth-decorators/auth-mode.js';
import type { AppConfigService } from '../config/config.module.js';
import { AuthGuard } from './auth.guard.js';
import { Freshness } from './freshness.js';
import { Auth, Public, Roles } from '../auth-decorators/auth.decorator.js';
import { Fresh } from '../auth-decorators/fresh.decorator.js';
import { JwtStrategy } from './jwt.strategy.js';
import { SessionStrategy } from './session.strategy.js';

class Routes {
  @Public() open() {}
  @Auth(AuthMode.Jwt) jwtOnly() {}
  @Auth(AuthMode.Session) sessionOnly() {}
  @Auth(AuthMode.Jwt) @Roles('admin') adminJwt() {}
  @Auth(AuthMode.Jwt) @Fresh() freshJwt() {}
  @Auth(AuthMode.Jwt) @Fresh('10m') freshTenMinutes() {}
  @Auth(AuthMode.Jwt) @Roles('admin') @Fresh() freshAdmin() {}
  undeclared() {}
}

/** No database behind any of these: a call to one fails the test. */
const noDatabase = new Proxy(
  {},
  {
    get: (_t, name) => () => {
      throw new Error(`database touched: ${String(name)}`);
    },
  },
);

async function setup() {
  const jwt = jwtTestConfig();
  const tokens = await accessTokensService(jwt);
  const revocations = new RevocationListService(
    noDatabase as LoginsService,
    new LocalBroadcast(),
    jwtConfigService(jwt),
    new DatabaseShutdown(),
  );
  const freshness = new Freshness(noDatabase as LoginsService, { get: () => 300_000 } as unknown as AppConfigService);
  const guard = new AuthGuard(
    new Reflector(),
    new JwtStrategy(tokens, revocations),
    new SessionStrategy(noDatabase as UsersService, new CsrfService(), revocations),
    freshness,
  );
  return { guard, tokens, revocations };
}

function context(handler: keyof Routes, headers: Record<string, string> = {}, session?: object) {
  const request = { method: 'GET', headers, session, get: (name: string) => headers[name.toLowerCase()] } as Record<
    string,
    unknown
  >;
  const headersSent: Record<string, string> = {};
  const response = { setHeader: (name: string, value: string) => void (headersSent[name.toLowerCase()] = value) };
  const ctx = {
    getType: () => 'http',
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ExecutionContext;
  return { ctx, request, headersSent };
}

/** The 401 a too-old login gets, or whatever else was thrown. */
async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
    return 'let through';
  } catch (error) {
    return error instanceof UnauthorizedException ? error.getResponse() : error;
  }
}

describe('AuthGuard', () => {
  it('lets a valid, unrevoked access token through without touching the database', async () => {
    const { guard, tokens } = await setup();
    const { token } = await tokens.sign({ userId: 'u1', loginId: 'l1', roles: ['user'] });
    const { ctx, request } = context('jwtOnly', { authorization: `Bearer ${token}` });
    await expect(guard.canActivate(ctx)).resolves.toBe(true);
    expect(request.auth).toEqual({
      id: 'u1',
      roles: ['user'],
      loginId: 'l1',
      via: 'jwt',
      authTime: expect.any(Number),
    });
  });

  it('rejects a token of a revoked login', async () => {
    const { guard, tokens, revocations } = await setup();
    const { token } = await tokens.sign({ userId: 'u1', loginId: 'l2', roles: ['user'] });
    (revocations as unknown as { add(m: { loginIds: string[]; until: number }): void }).add({
      loginIds: ['l2'],
      until: Date.now() + 60_000,
    });
    await expect(
      guard.canActivate(context('jwtOnly', { authorization: `Bearer ${token}` }).ctx),
    ).rejects.toBeInstanceOf(UnauthorizedException);
  });

  it('refuses a token revoked after it was verified and cached: revocation is checked outside the cache', async () => {
    const { guard, tokens, revocations } = await setup();
    const { token } = await tokens.sign({ userId: 'u1', loginId: 'l3', roles: ['user'] });
    const headers = { authorization: `Bearer ${token}` };
    await expect(guard.canActivate(context('jwtOnly', headers).ctx)).resolves.toBe(true);
    const checks = jest.spyOn(
      JwtStrategy.prototype as unknown as { verifySignatureAndClaims(): void },
      'verifySignatureAndClaims',
    );
    (revocations as unknown as { add(m: { loginIds: string[]; until: number }): void }).add({
      loginIds: ['l3'],
      until: Date.now() + 60_000,
    });
    await expect(guard.canActivate(context('jwtOnly', headers).ctx)).rejects.toBeInstanceOf(UnauthorizedException);
    expect(checks).not.toHaveBeenCalled(); // served from the cache, and refused all the same
  });

  it('checks roles from the token: 403 without them', async () => {
    const { guard, tokens } = await setup();
    const { token } = await tokens.sign({ userId: 'u1', loginId: 'l1', roles: ['user'] });
    await expect(
      guard.canActivate(context('adminJwt', { authorization: `Bearer ${token}` }).ctx),
    ).rejects.toBeInstanceOf(ForbiddenException);
  });

  it('lets public routes through and answers 401 on any other route without credentials', async () => {
    const { guard } = await setup();
    await expect(guard.canActivate(context('open').ctx)).resolves.toBe(true);
    for (const route of ['jwtOnly', 'sessionOnly', 'undeclared'] as const) {
      await expect(guard.canActivate(context(route).ctx)).rejects.toBeInstanceOf(UnauthorizedException);
    }
  });

  it('answers 401 to a session on a jwt-only route before any lookup', async () => {
    const { guard } = await setup();
    const session = { passport: { user: { userId: 'u1', loginId: 'l1' } } };
    await expect(guard.canActivate(context('jwtOnly', {}, session).ctx)).rejects.toBeInstanceOf(UnauthorizedException);
  });

  describe('@Fresh (step-up, RFC 9470), from the token alone', () => {
    const signedAgo = async (
      tokens: Awaited<ReturnType<typeof setup>>['tokens'],
      seconds: number,
      roles: Array<'user' | 'admin'> = ['user'],
    ) =>
      (
        await tokens.sign({
          userId: 'u1',
          loginId: 'l1',
          roles,
          authenticatedAt: new Date(Date.now() - seconds * 1000),
        })
      ).token;

    it('lets a login proved within AUTH_FRESH_MAX_AGE through, without the database', async () => {
      const { guard, tokens } = await setup();
      const { ctx } = context('freshJwt', { authorization: `Bearer ${await signedAgo(tokens, 290)}` });
      await expect(guard.canActivate(ctx)).resolves.toBe(true);
    });

    it('answers 401 insufficient_user_authentication with max_age past it, body and WWW-Authenticate', async () => {
      const { guard, tokens } = await setup();
      const { ctx, headersSent } = context('freshJwt', { authorization: `Bearer ${await signedAgo(tokens, 302)}` });
      expect(await refusal(guard.canActivate(ctx))).toEqual({
        statusCode: 401,
        message: expect.any(String),
        error: 'insufficient_user_authentication',
        maxAge: 300,
      });
      expect(headersSent['www-authenticate']).toBe('Bearer error="insufficient_user_authentication", max_age=300');
    });

    it("a route's own age overrides the default", async () => {
      const { guard, tokens } = await setup();
      await expect(
        guard.canActivate(context('freshTenMinutes', { authorization: `Bearer ${await signedAgo(tokens, 400)}` }).ctx),
      ).resolves.toBe(true);
      expect(
        await refusal(
          guard.canActivate(
            context('freshTenMinutes', { authorization: `Bearer ${await signedAgo(tokens, 602)}` }).ctx,
          ),
        ),
      ).toMatchObject({ maxAge: 600 });
    });

    it('roles come first: a non-admin gets 403 on a fresh admin route, however old the login', async () => {
      const { guard, tokens } = await setup();
      const { ctx } = context('freshAdmin', { authorization: `Bearer ${await signedAgo(tokens, 3_600)}` });
      await expect(guard.canActivate(ctx)).rejects.toBeInstanceOf(ForbiddenException);
    });
  });
});
