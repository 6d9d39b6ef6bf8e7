import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { generate } from 'otplib';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { DataSource } from 'typeorm';
import { AuditService } from '../src/audit/audit.service.js';
import { createLogger } from '../src/common/logging/logger.js';
import { LoginsService } from '../src/sessions/logins.service.js';
import { UsersService } from '../src/users/users.service.js';
import { createUser, sidCookie, type TestUser } from './support/kit.js';
import { createTestApp, type TestApp } from './support/test-app.js';

type Mode = 'session' | 'jwt';
const LOGIN_PATH: Record<Mode, string> = { session: '/api/auth/session/login', jwt: '/api/auth/token/login' };

/** A TOTP code for `secret`, `steps` time steps from now (the server accepts ±1). */
const totp = (secret: string, steps = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });
const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A logged-in agent of either kind, with what it needs to send credentials. */
interface Caller {
  agent: TestAgent;
  mode: Mode;
  accessToken?: string;
  refreshToken?: string;
}

/** Turns a login's 200 answer into a caller (cookie + CSRF header, or bearer token). */
function callerFrom(agent: TestAgent, mode: Mode, body: Record<string, unknown>): Caller {
  if (mode === 'session') {
    agent.set('X-CSRF-Token', body.csrfToken);
    return { agent, mode };
  }
  agent.set('Authorization', `Bearer ${body.accessToken as string}`);
  return { agent, mode, accessToken: body.accessToken as string, refreshToken: body.refreshToken as string };
}

async function passwordLogin(t: TestApp, user: TestUser, mode: Mode) {
  const agent = request.agent(t.http);
  const res = await agent.post(LOGIN_PATH[mode]).send({ email: user.email, password: user.password });
  return { agent, res };
}

async function login(t: TestApp, user: TestUser, mode: Mode): Promise<Caller> {
  const { agent, res } = await passwordLogin(t, user, mode);
  expect(res.status).toBe(200);
  return callerFrom(agent, mode, res.body);
}

/** Enrols and confirms TOTP; the confirmation uses the current step. */
async function enrol(caller: Caller): Promise<{ secret: string; recoveryCodes: string[] }> {
  const started = await caller.agent.post('/api/users/me/mfa/totp').expect(200);
  const { secret } = started.body as { secret: string };
  const confirmed = await caller.agent
    .post('/api/users/me/mfa/totp/confirm')
    .send({ code: await totp(secret) })
    .expect(200);
  return { secret, recoveryCodes: confirmed.body.recoveryCodes };
}

/** Password, then a code: the completed login as a caller. */
async function loginWithCode(
  t: TestApp,
  user: TestUser,
  mode: Mode,
  code: string,
): Promise<{ caller: Caller; res: request.Response }> {
  const { agent, res } = await passwordLogin(t, user, mode);
  expect(res.status).toBe(200);
  const verified = await agent.post('/api/auth/mfa/verify').send({ challengeId: res.body.challengeId, code });
  return { caller: callerFrom(agent, mode, verified.body), res: verified };
}

describe.each<Mode>(['session', 'jwt'])('second factor and step-up, %s mode', (mode) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('enrolment: a pending secret, a wrong code refused, 10 recovery codes once, 409 when already on', async () => {
    const user = await createUser(t);
    const caller = await login(t, user, mode);
    const started = await caller.agent.post('/api/users/me/mfa/totp').expect(200);
    expect(started.body.secret).toMatch(/^[A-Z2-7]{32,}$/); // base32, ≥ 160 bits
    expect(started.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/.+secret=[A-Z2-7]+/);
    expect((await caller.agent.get('/api/users/me').expect(200)).body.mfaEnabled).toBe(false);

    const wrong = String((Number(await totp(started.body.secret)) + 500_000) % 1_000_000).padStart(6, '0');
    await caller.agent.post('/api/users/me/mfa/totp/confirm').send({ code: wrong }).expect(400);
    const confirmed = await caller.agent
      .post('/api/users/me/mfa/totp/confirm')
      .send({ code: await totp(started.body.secret) })
      .expect(200);
    const codes = confirmed.body.recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);

    const me = await caller.agent.get('/api/users/me').expect(200);
    expect(me.body.mfaEnabled).toBe(true);
    expect(JSON.stringify(me.body)).not.toContain(started.body.secret);
    await caller.agent.post('/api/users/me/mfa/totp').expect(409);

    // Stored encrypted: the row holds neither the secret nor anything it starts with.
    const [row] = await t.app
      .get(DataSource)
      .query(`SELECT secret_ciphertext FROM mfa_secrets WHERE user_id = $1`, [user.id]);
    expect(row.secret_ciphertext).toMatch(/^v1\./);
    expect(row.secret_ciphertext).not.toContain(started.body.secret);
    expect(row.secret_ciphertext).not.toContain(Buffer.from(started.body.secret).toString('base64url').slice(0, 16));
    const hashes = await t.app
      .get(DataSource)
      .query(`SELECT code_hash FROM mfa_recovery_codes WHERE user_id = $1`, [user.id]);
    expect(hashes).toHaveLength(10);
    expect(JSON.stringify(hashes)).not.toContain(codes[0]!.replace(/-/g, ''));
  });

  it('login with TOTP: the password answers a challenge only; the code completes that login, with amr otp', async () => {
    const user = await createUser(t);
    const { secret } = await enrol(await login(t, user, mode));

    const { agent, res } = await passwordLogin(t, user, mode);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['challengeId', 'mfaRequired']);
    expect(res.body.mfaRequired).toBe(true);
    expect(sidCookie(res.headers['set-cookie'])).toBeUndefined();
    await agent.get('/api/users/me').expect(401);

    const code = await totp(secret, 1); // the enrolment used the current step
    const verified = await agent
      .post('/api/auth/mfa/verify')
      .send({ challengeId: res.body.challengeId, code })
      .expect(200);
    const caller = callerFrom(agent, mode, verified.body);
    if (mode === 'session') {
      expect(verified.body.user.id).toBe(user.id);
      expect(sidCookie(verified.headers['set-cookie'])).toBeDefined();
    } else {
      expect(verified.body.tokenType).toBe('Bearer');
      const claims = claimsOf(verified.body.accessToken);
      expect(claims.amr).toEqual(['pwd', 'otp']);
      expect(Math.abs((claims.auth_time as number) - Date.now() / 1000)).toBeLessThan(5);
    }
    await caller.agent.get('/api/users/me').expect(200);
    const devices = (await caller.agent.get('/api/auth/sessions').expect(200)).body as Array<{
      current: boolean;
      mfa: boolean;
    }>;
    expect(devices.find((d) => d.current)?.mfa).toBe(true);
    expect(devices.find((d) => !d.current)?.mfa).toBe(false); // the enrolling login used the password only

    // The challenge is single use, and so is the code.
    await request(t.http)
      .post('/api/auth/mfa/verify')
      .send({ challengeId: res.body.challengeId, code: await totp(secret, 1) })
      .expect(400);
    const again = await passwordLogin(t, user, mode);
    await request(t.http)
      .post('/api/auth/mfa/verify')
      .send({ challengeId: again.res.body.challengeId, code })
      .expect(401);
  });

  it('login with a recovery code; the same code is refused the second time', async () => {
    const user = await createUser(t);
    const { recoveryCodes } = await enrol(await login(t, user, mode));
    const first = await loginWithCode(t, user, mode, recoveryCodes[3]!.toLowerCase());
    expect(first.res.status).toBe(200);
    await first.caller.agent.get('/api/users/me').expect(200);
    const second = await loginWithCode(t, user, mode, recoveryCodes[3]!);
    expect(second.res.status).toBe(401);
    expect((await loginWithCode(t, user, mode, recoveryCodes[4]!)).res.status).toBe(200);
  });

  it('unknown, malformed or expired challenges are 400; a wrong code is 401 and audited', async () => {
    const user = await createUser(t);
    await enrol(await login(t, user, mode));
    await request(t.http)
      .post('/api/auth/mfa/verify')
      .send({ challengeId: crypto.randomUUID(), code: '123456' })
      .expect(400);
    await request(t.http).post('/api/auth/mfa/verify').send({ challengeId: 'nope', code: '123456' }).expect(400);
    const { res } = await passwordLogin(t, user, mode);
    await request(t.http)
      .post('/api/auth/mfa/verify')
      .send({ challengeId: res.body.challengeId, code: '000000' })
      .expect(401);
    await t.app
      .get(DataSource)
      .query(`UPDATE mfa_challenges SET expires_at = now() - interval '1 second' WHERE id = $1`, [
        res.body.challengeId,
      ]);
    await request(t.http)
      .post('/api/auth/mfa/verify')
      .send({ challengeId: res.body.challengeId, code: '000000' })
      .expect(400);
    await t.app.get(AuditService).flush();
    const [failed] = await t.app
      .get(DataSource)
      .query(`SELECT count(*)::int AS n FROM auth_events WHERE user_id = $1 AND type = 'mfa.failed'`, [user.id]);
    expect(failed.n).toBe(1);
  });

  it('turning MFA off needs a fresh login and makes password login complete at once again', async () => {
    const user = await createUser(t);
    const caller = await login(t, user, mode);
    await enrol(caller);
    await caller.agent.delete('/api/users/me/mfa').expect(204);
    expect((await caller.agent.get('/api/users/me').expect(200)).body.mfaEnabled).toBe(false);
    const { res } = await passwordLogin(t, user, mode);
    expect(res.body.mfaRequired).toBeUndefined();
    await t.app.get(AuditService).flush();
    const types = await t.app
      .get(DataSource)
      .query(`SELECT type FROM auth_events WHERE user_id = $1 AND type LIKE 'mfa.%' ORDER BY occurred_at`, [user.id]);
    expect(types.map((r: { type: string }) => r.type)).toEqual(['mfa.enabled', 'mfa.disabled']);
  });
});

describe.each<Mode>(['session', 'jwt'])('lockout with a second factor, %s mode', (mode) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_MAX_FAILURES: '3' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('wrong codes count toward the lockout: 429 then, even with the right code', async () => {
    const user = await createUser(t);
    const { secret } = await enrol(await login(t, user, mode));
    const { agent, res } = await passwordLogin(t, user, mode);
    for (let i = 0; i < 3; i++) {
      await agent.post('/api/auth/mfa/verify').send({ challengeId: res.body.challengeId, code: '000000' }).expect(401);
    }
    const locked = await agent
      .post('/api/auth/mfa/verify')
      .send({ challengeId: res.body.challengeId, code: await totp(secret, 1) });
    expect(locked.status).toBe(429);
    expect(locked.headers['retry-after']).toBeDefined();
    expect((await passwordLogin(t, user, mode)).res.status).toBe(429);
  });

  it('a correct password while MFA is pending neither counts as a failure nor resets the count', async () => {
    const user = await createUser(t);
    await enrol(await login(t, user, mode));
    const wrong = { email: user.email, password: 'wrong password!' };
    await request(t.http).post(LOGIN_PATH[mode]).send(wrong).expect(401);
    await request(t.http).post(LOGIN_PATH[mode]).send(wrong).expect(401);
    const { res } = await passwordLogin(t, user, mode); // 2 failures so far: not one more, not reset
    expect(res.status).toBe(200);
    await request(t.http)
      .post('/api/auth/mfa/verify')
      .send({ challengeId: res.body.challengeId, code: '000000' })
      .expect(401); // the 3rd
    expect((await passwordLogin(t, user, mode)).res.status).toBe(429);
  });
});

describe.each<Mode>(['session', 'jwt'])('step-up (@Fresh) and reauthenticate, %s mode', (mode) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { AUTH_FRESH_MAX_AGE: '2s' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('a fresh route refuses a login proved too long ago (RFC 9470), then accepts it after reauthenticate', async () => {
    const user = await createUser(t);
    const caller = await login(t, user, mode);
    const firstAuthTime = mode === 'jwt' ? claimsOf(caller.accessToken!).auth_time : undefined;
    await sleep(2_200);

    const stale = await caller.agent.post('/api/users/me/mfa/totp').expect(401);
    expect(stale.body).toEqual({
      statusCode: 401,
      message: expect.any(String),
      error: 'insufficient_user_authentication',
      maxAge: 2,
    });
    if (mode === 'jwt') {
      expect(stale.headers['www-authenticate']).toBe('Bearer error="insufficient_user_authentication", max_age=2');
      // A refresh keeps the login's auth_time: it proves nothing.
      const refreshed = await request(t.http)
        .post('/api/auth/token/refresh')
        .send({ refreshToken: caller.refreshToken })
        .expect(200);
      expect(claimsOf(refreshed.body.accessToken).auth_time).toBe(firstAuthTime);
      caller.refreshToken = refreshed.body.refreshToken;
    } else {
      expect(stale.headers['www-authenticate']).toBeUndefined();
    }

    await caller.agent.post('/api/auth/reauthenticate').send({ password: 'not the password' }).expect(401);
    const fresh = await caller.agent.post('/api/auth/reauthenticate').send({ password: user.password });
    if (mode === 'session') {
      expect(fresh.status).toBe(204);
    } else {
      expect(fresh.status).toBe(200);
      const before = claimsOf(caller.accessToken!);
      const after = claimsOf(fresh.body.accessToken);
      expect(after.sid).toBe(before.sid);
      expect(after.auth_time as number).toBeGreaterThan(before.auth_time as number);
      expect(after.amr).toEqual(['pwd']);
      // The previous refresh token is retired, as a refresh retires it.
      await request(t.http).post('/api/auth/token/refresh').send({ refreshToken: caller.refreshToken }).expect(401);
      caller.agent.set('Authorization', `Bearer ${fresh.body.accessToken}`);
    }
    await caller.agent.post('/api/users/me/mfa/totp').expect(200);
    await t.app.get(AuditService).flush();
    const [row] = await t.app
      .get(DataSource)
      .query(`SELECT count(*)::int AS n FROM auth_events WHERE user_id = $1 AND type = 'reauthenticated'`, [user.id]);
    expect(row.n).toBe(1);
  });

  it('with MFA on, reauthenticate needs a code too', async () => {
    const user = await createUser(t);
    const caller = await login(t, user, mode);
    const { recoveryCodes } = await enrol(caller);
    await caller.agent.post('/api/auth/reauthenticate').send({ password: user.password }).expect(401);
    await caller.agent.post('/api/auth/reauthenticate').send({ password: user.password, code: '000000' }).expect(401);
    const ok = await caller.agent
      .post('/api/auth/reauthenticate')
      .send({ password: user.password, code: recoveryCodes[0] });
    expect(ok.status).toBe(mode === 'session' ? 204 : 200);
    if (mode === 'jwt') expect(claimsOf(ok.body.accessToken).amr).toEqual(['pwd', 'otp']);
  });
});

describe('reauthenticate of a token login that has ended or is ending', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(['expires_at', 'absolute_expires_at'])(
    'past its %s: 401, nothing recorded, and the login is gone from the devices list',
    async (column) => {
      const user = await createUser(t);
      const caller = await login(t, user, 'jwt');
      const other = await login(t, user, 'jwt');
      const sid = claimsOf(caller.accessToken!).sid as string;
      const db = t.app.get(DataSource);
      // The access token stays valid until its own exp: only the login has ended.
      await db.query(`UPDATE logins SET ${column} = now() - interval '1 minute' WHERE id = $1`, [sid]);
      const proofOf = async () => {
        const [row]: Array<{ authenticated_at: Date | string }> = await db.query(
          'SELECT authenticated_at FROM logins WHERE id = $1',
          [sid],
        );
        return row!.authenticated_at;
      };
      const provedAt = await proofOf();
      await sleep(20);

      const refused = await caller.agent.post('/api/auth/reauthenticate').send({ password: user.password });
      expect(refused.status).toBe(401);
      expect(refused.body.message).toBe('This login has ended');
      expect(new Date(await proofOf()).getTime()).toBe(new Date(provedAt).getTime());
      const devices = (await other.agent.get('/api/auth/sessions').expect(200)).body as Array<{ id: string }>;
      expect(devices.map((device) => device.id)).toEqual([claimsOf(other.accessToken!).sid]);
    },
  );

  it('revoked while its step-up is under way: no refresh token issued after the revocation, no pair that works', async () => {
    const user = await createUser(t);
    const caller = await login(t, user, 'jwt');
    const other = await login(t, user, 'jwt');
    const sid = claimsOf(caller.accessToken!).sid as string;
    // The device is revoked from the other login once the proof is recorded, before the step-up
    // has issued its pair: the revocation must wait for the step-up, or the step-up must fail.
    const logins = t.app.get(LoginsService);
    const markProven = logins.markProven.bind(logins);
    let revoked: Promise<request.Response> | undefined;
    const spy = jest.spyOn(logins, 'markProven').mockImplementationOnce(async (...args) => {
      const proven = await markProven(...args);
      // then() sends it now, without waiting for its answer.
      revoked = other.agent.delete(`/api/auth/sessions/${sid}`).then((res) => res);
      await sleep(300);
      return proven;
    });
    try {
      const stepUp = await caller.agent.post('/api/auth/reauthenticate').send({ password: user.password });
      expect((await revoked)?.status).toBe(204);
      const db = t.app.get(DataSource);
      const [row]: Array<{ issued_after: number }> = await db.query(
        `SELECT count(*)::int AS issued_after FROM refresh_tokens r JOIN logins l ON l.id = r.login_id
          WHERE l.id = $1 AND l.revoked_at IS NOT NULL AND r.created_at >= l.revoked_at`,
        [sid],
      );
      expect(row!.issued_after).toBe(0);
      if (stepUp.status === 200) {
        await request(t.http)
          .get('/api/users/me')
          .set('Authorization', `Bearer ${stepUp.body.accessToken}`)
          .expect(401);
        await request(t.http)
          .post('/api/auth/token/refresh')
          .send({ refreshToken: stepUp.body.refreshToken })
          .expect(401);
      } else {
        expect(stepUp.status).toBe(401);
      }
    } finally {
      spy.mockRestore();
    }
  });
});

describe('no response, log line or audit event holds a TOTP secret, code or recovery code', () => {
  const lines: string[] = [];
  let t: TestApp;
  beforeAll(async () => {
    const logger = createLogger('trace', false, { write: (line: string) => void lines.push(line) });
    t = await createTestApp({ logger, env: { LOG_LEVEL: 'trace' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it.each<Mode>(['session', 'jwt'])('%s mode', async (mode) => {
    const bodies: string[] = [];
    const user = await createUser(t);
    const caller = await login(t, user, mode);
    const { secret, recoveryCodes } = await enrol(caller); // the two answers allowed to show them
    const codes = [await totp(secret, 1), await totp(secret, -1), '000000'];
    const keep = (res: request.Response) => bodies.push(`${JSON.stringify(res.headers)}\n${res.text}`);

    keep(await caller.agent.get('/api/users/me'));
    keep(await caller.agent.post('/api/users/me/mfa/totp'));
    keep(await caller.agent.post('/api/users/me/mfa/totp/confirm').send({ code: codes[0] }));
    const wrong = await passwordLogin(t, user, mode);
    keep(wrong.res);
    keep(
      await wrong.agent.post('/api/auth/mfa/verify').send({ challengeId: wrong.res.body.challengeId, code: codes[2] }),
    );
    const ok = await loginWithCode(t, user, mode, codes[0]!);
    keep(ok.res);
    const recovered = await loginWithCode(t, user, mode, recoveryCodes[0]!);
    keep(recovered.res);
    keep(
      await recovered.caller.agent
        .post('/api/auth/reauthenticate')
        .send({ password: user.password, code: recoveryCodes[1] }),
    );
    keep(
      await recovered.caller.agent
        .post('/api/auth/reauthenticate')
        .send({ password: user.password, code: recoveryCodes[1] }),
    );
    keep(await recovered.caller.agent.get('/api/auth/sessions'));
    keep(await recovered.caller.agent.get('/api/users/me/activity'));
    expect(ok.res.status).toBe(200);
    expect(recovered.res.status).toBe(200);

    await t.app.get(AuditService).flush();
    const events = JSON.stringify(
      await t.app.get(DataSource).query(`SELECT * FROM auth_events WHERE user_id = $1`, [user.id]),
    );
    expect(events).toContain('mfa.failed');
    expect(lines.length).toBeGreaterThan(5);
    const secrets = [secret, ...codes.slice(0, 2), ...recoveryCodes, ...recoveryCodes.map((c) => c.replace(/-/g, ''))];
    for (const [where, text] of [
      ...bodies.map((b) => ['response', b] as const),
      ['logs', lines.join('')] as const,
      ['audit', events] as const,
    ]) {
      // Not inside a longer run of digits or letters: a 6-digit code may occur by chance in a timestamp.
      for (const value of secrets) {
        const leaks = new RegExp(`(?<![A-Za-z0-9])${value}(?![A-Za-z0-9])`).test(text);
        expect({ where, leaks: leaks ? value : null }).toEqual({ where, leaks: null });
      }
    }
  });
});

describe('reauthenticate of a token login while a refresh of it is under way', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('leaves one live refresh token: the successor the refresh issued is retired too', async () => {
    const user = await createUser(t);
    const caller = await login(t, user, 'jwt');
    // Holds the refresh's transaction open after it has spent the old token and inserted its
    // successor (useIfActive runs inside it), while reauthenticate retires the login's tokens.
    const logins = t.app.get(LoginsService);
    const useIfActive = logins.useIfActive.bind(logins);
    let reached!: () => void;
    const inside = new Promise<void>((resolve) => (reached = resolve));
    const spy = jest.spyOn(logins, 'useIfActive').mockImplementationOnce(async (...args) => {
      reached();
      await sleep(500);
      return useIfActive(...args);
    });
    try {
      // `then` sends it now; it waits inside its transaction until the spy lets it go on.
      const refreshing = request(t.http)
        .post('/api/auth/token/refresh')
        .send({ refreshToken: caller.refreshToken })
        .then((res) => res);
      await inside;
      const fresh = await caller.agent.post('/api/auth/reauthenticate').send({ password: user.password }).expect(200);
      const racing = await refreshing;
      expect(racing.status).toBe(200);
      await request(t.http).post('/api/auth/token/refresh').send({ refreshToken: fresh.body.refreshToken }).expect(200);
      await request(t.http)
        .post('/api/auth/token/refresh')
        .send({ refreshToken: racing.body.refreshToken })
        .expect(401);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('starting TOTP enrolment while a confirmation of it commits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 409 and leaves the confirmed secret in place', async () => {
    const user = await createUser(t);
    const caller = await login(t, user, 'jwt');
    const { secret } = (await caller.agent.post('/api/users/me/mfa/totp').expect(200)).body as { secret: string };
    // The second start reads the user (second factor still off), then waits until the first
    // enrolment's confirmation has answered before storing its own secret.
    const users = t.app.get(UsersService);
    const getById = users.getById.bind(users);
    let confirmed!: () => void;
    const confirmation = new Promise<void>((resolve) => (confirmed = resolve));
    const spy = jest.spyOn(users, 'getById').mockImplementationOnce(async (id) => {
      const found = await getById(id);
      await confirmation;
      return found;
    });
    try {
      const restarting = caller.agent.post('/api/users/me/mfa/totp').then((res) => res);
      await caller.agent
        .post('/api/users/me/mfa/totp/confirm')
        .send({ code: await totp(secret) })
        .expect(200);
      confirmed();
      expect((await restarting).status).toBe(409);
    } finally {
      spy.mockRestore();
    }
    const { caller: again } = await loginWithCode(t, user, 'jwt', await totp(secret, 1));
    expect(again.accessToken).toEqual(expect.any(String));
  });
});
