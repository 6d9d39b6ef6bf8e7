import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Module, Post, Req, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import request from 'supertest';
import { Public } from '../src/auth-decorators/index.js';
import { createUser, loginAs, type Client } from './support/kit.js';
import { es256Pair } from './support/keys.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * A teammate's controller protected the way the NestJS docs show: `@UseGuards(AuthGuard(...))`,
 * with `@Public()` so that the global guard steps aside and the route's own guard decides.
 */
@Controller('teammate')
@Public()
class TeammateController {
  @Get('jwt')
  @UseGuards(AuthGuard('jwt'))
  jwt(@Req() req: Request) {
    return { user: req.user };
  }

  @Get('session')
  @UseGuards(AuthGuard('session'))
  session(@Req() req: Request) {
    return { user: req.user };
  }

  @Post('session')
  @UseGuards(AuthGuard('session'))
  change(@Req() req: Request) {
    return { user: req.user };
  }
}

@Module({ controllers: [TeammateController] })
class TeammateModule {}

describe("@nestjs/passport's AuthGuard on our strategies", () => {
  let t: TestApp;
  let jwt: Client;
  let session: Client;
  beforeAll(async () => {
    t = await createTestApp({ imports: [TeammateModule] });
    const user = await createUser(t);
    jwt = await loginAs(t, user, 'jwt');
    session = await loginAs(t, user, 'session');
  });
  afterAll(async () => {
    await t.close();
  });

  const withToken = (token: string) => request(t.http).get('/api/teammate/jwt').set('Authorization', `Bearer ${token}`);

  it("AuthGuard('jwt'): a valid token is a 200 with the principal on req.user", async () => {
    const res = await withToken(jwt.accessToken!).expect(200);
    expect(res.body.user).toEqual({
      id: jwt.user.id,
      roles: ['user'],
      loginId: expect.any(String),
      via: 'jwt',
      authTime: expect.any(Number),
    });
  });

  it("AuthGuard('jwt'): no token, a tampered token or a session cookie is a 401", async () => {
    await request(t.http).get('/api/teammate/jwt').expect(401);
    await withToken(`${jwt.accessToken!.slice(0, -4)}AAAA`).expect(401);
    await request(t.http).get('/api/teammate/jwt').set('Cookie', session.cookie!).expect(401);
  });

  it("AuthGuard('jwt'): a revoked login's token is a 401 at once", async () => {
    const other = await loginAs(t, jwt.user, 'jwt');
    await withToken(other.accessToken!).expect(200);
    await request(t.http).post('/api/auth/token/logout').send({ refreshToken: other.refreshToken }).expect(204);
    await withToken(other.accessToken!).expect(401);
  });

  it("AuthGuard('session'): the session cookie is a 200 with the principal; a bearer token or nothing is a 401", async () => {
    const res = await session.get('/api/teammate/session').expect(200);
    expect(res.body.user).toEqual({
      id: session.user.id,
      roles: ['user'],
      loginId: expect.any(String),
      via: 'session',
    });
    await request(t.http).get('/api/teammate/session').set('Authorization', `Bearer ${jwt.accessToken}`).expect(401);
    await request(t.http).get('/api/teammate/session').expect(401);
  });

  it("AuthGuard('session'): a state change needs the CSRF token (403 without)", async () => {
    await request(t.http).post('/api/teammate/session').set('Cookie', session.cookie!).expect(403);
    await session.post('/api/teammate/session').expect(201);
  });

  it("AuthGuard('session'): a logged-out session is a 401", async () => {
    const other = await loginAs(t, session.user, 'session');
    await other.get('/api/teammate/session').expect(200);
    await other.post('/api/auth/session/logout').expect(204);
    await request(t.http).get('/api/teammate/session').set('Cookie', other.cookie!).expect(401);
  });
});

/**
 * Passport keeps one registry of strategies by name for the whole process; every app registers
 * its own under 'jwt' and 'session', the last one booted winning. The global guard runs its own
 * app's strategy instances: each app verifies with its own keys and its own revocation list.
 */
describe('several apps in one process', () => {
  const first = es256Pair();
  const second = es256Pair();
  // No shared Redis: each app's revocation list hears only its own database.
  const keysOf = (pair: { privateKey: string; publicKey: string }) => ({
    JWT_PRIVATE_KEY: pair.privateKey,
    JWT_PUBLIC_KEY: pair.publicKey,
    REDIS_URL: '',
  });
  let a: TestApp;
  let b: TestApp;
  let c: TestApp;
  beforeAll(async () => {
    a = await createTestApp({ env: keysOf(first) });
    b = await createTestApp({ env: keysOf(second) });
    c = await createTestApp({ env: keysOf(first) }); // a's keys, its own database; booted last
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  const jwtOnly = (t: TestApp, token: string) =>
    request(t.http).get('/api/examples/jwt-only').set('Authorization', `Bearer ${token}`);

  it('verify with their own keys', async () => {
    const fromA = await loginAs(a, await createUser(a), 'jwt');
    const fromB = await loginAs(b, await createUser(b), 'jwt');
    await jwtOnly(a, fromA.accessToken!).expect(200);
    await jwtOnly(b, fromB.accessToken!).expect(200);
    await jwtOnly(b, fromA.accessToken!).expect(401);
    await jwtOnly(a, fromB.accessToken!).expect(401);
  });

  it('check their own revocation list', async () => {
    const client = await loginAs(a, await createUser(a), 'jwt');
    await jwtOnly(c, client.accessToken!).expect(200); // same keys: the token verifies on c too
    await request(a.http).post('/api/auth/token/logout').send({ refreshToken: client.refreshToken }).expect(204);
    await jwtOnly(a, client.accessToken!).expect(401);
    await jwtOnly(c, client.accessToken!).expect(200); // c's list is its own, and never heard of it
  });
});
