import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import request from 'supertest';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { AuditService } from '../src/audit/audit.service.js';
import { BackgroundWork } from '../src/recovery/background-work.js';
import { createUser, loginAs, uniqueEmail, type TestUser } from './support/kit.js';
import { TestSmtpServer, tokenFrom } from './support/smtp.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** What every flow below showed the outside: answers, log lines, audit events. The last test scans them. */
const responses: string[] = [];
const logLines: string[] = [];
const tokens: string[] = [];

function seen(res: Response): Response {
  responses.push(`${res.status} ${JSON.stringify(res.headers)} ${res.text ?? ''}`);
  return res;
}

function mailedToken(mail: Parameters<typeof tokenFrom>[0]): string {
  const token = tokenFrom(mail);
  tokens.push(token);
  return token;
}

const capture = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    callback();
  },
});
const logger = pino({ level: 'trace' }, capture);

/** Off-path work (lookups, tokens, mails) and audit writes have finished. */
async function settled(t: TestApp): Promise<void> {
  await t.app.get(BackgroundWork).settled();
  await t.app.get(AuditService).flush();
}

describe('password reset and email verification, mail received over SMTP', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  const post = (path: string, body: object) => request(t.http).post(path).send(body).then(seen);

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    t = await createTestApp({
      env: { SMTP_URL: smtp.url, LOG_LEVEL: 'trace', APP_URL: 'https://app.example' },
      logger,
    });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  async function auditOf(userId: string): Promise<Array<{ type: string; details: Record<string, unknown> | null }>> {
    await settled(t);
    return t.app
      .get(DataSource)
      .query(`SELECT type, details FROM auth_events WHERE user_id = $1 ORDER BY occurred_at`, [userId]);
  }

  describe('email verification', () => {
    it('registration mails one link; verify makes emailVerified true; the used token then answers 400', async () => {
      const ada = await createUser(t);
      const mail = await smtp.waitFor(ada.email);
      expect(mail.subject).toBe('Confirm your email address');
      expect(mail.text).toMatch(/https:\/\/app\.example\/verify-email\?token=[A-Za-z0-9_-]{43}\n/);
      expect(mail.html).toContain('https://app.example/verify-email?token=');
      const token = mailedToken(mail);
      const client = await loginAs(t, ada, 'jwt');
      expect(seen(await client.get('/api/users/me').expect(200)).body.emailVerified).toBe(false);

      await post('/api/auth/email/verify', { token }).then((res) => expect(res.status).toBe(204));
      expect(seen(await client.get('/api/users/me').expect(200)).body.emailVerified).toBe(true);
      const again = await post('/api/auth/email/verify', { token });
      expect(again.status).toBe(400);
      expect(again.body.message).toMatch(/invalid, used or expired/);
      expect((await auditOf(ada.id)).filter((event) => event.type === 'email.verified')).toHaveLength(1);
    });

    it('an unknown or malformed verification token answers 400', async () => {
      await post('/api/auth/email/verify', { token: 'A'.repeat(43) }).then((res) => expect(res.status).toBe(400));
      await post('/api/auth/email/verify', { token: 'not a token' }).then((res) => expect(res.status).toBe(400));
      await post('/api/auth/email/verify', {}).then((res) => expect(res.status).toBe(400));
    });

    it.each(['session', 'jwt'] as const)(
      'resend (%s) answers 202 and mails a new link; nothing once verified; 401 without a login',
      async (mode) => {
        const bob = await createUser(t);
        await smtp.waitFor(bob.email);
        const client = await loginAs(t, bob, mode);
        seen(await client.post('/api/auth/email/resend').expect(202));
        const second = await smtp.waitFor(bob.email, 2);
        await post('/api/auth/email/verify', { token: mailedToken(second) }).then((res) =>
          expect(res.status).toBe(204),
        );
        seen(await client.post('/api/auth/email/resend').expect(202));
        await settled(t);
        expect(smtp.to(bob.email)).toHaveLength(2);
        await post('/api/auth/email/resend', {}).then((res) => expect(res.status).toBe(401));
      },
    );
  });

  describe('password reset', () => {
    async function forgotToken(user: TestUser, count = 2): Promise<string> {
      await post('/api/auth/password/forgot', { email: user.email }).then((res) => expect(res.status).toBe(202));
      const mail = await smtp.waitFor(user.email, count);
      expect(mail.subject).toBe('Reset your password');
      expect(mail.html).toContain('https://app.example/reset-password?token=');
      return mailedToken(mail);
    }

    it('the mailed token sets the new password, ends every login of both kinds at once, and works only once', async () => {
      const ada = await createUser(t);
      const [session, jwt] = [await loginAs(t, ada, 'session'), await loginAs(t, ada, 'jwt')];
      const token = await forgotToken(ada);
      await post('/api/auth/password/reset', { token, newPassword: 'a brand new passphrase' }).then((res) =>
        expect(res.status).toBe(204),
      );

      seen(await session.get('/api/users/me').expect(401));
      seen(await jwt.get('/api/users/me').expect(401));
      await post('/api/auth/token/refresh', { refreshToken: jwt.refreshToken }).then((res) =>
        expect(res.status).toBe(401),
      );
      await post('/api/auth/session/login', { email: ada.email, password: ada.password }).then((res) =>
        expect(res.status).toBe(401),
      );
      await post('/api/auth/token/login', { email: ada.email, password: 'a brand new passphrase' }).then((res) =>
        expect(res.status).toBe(200),
      );

      const reused = await post('/api/auth/password/reset', { token, newPassword: 'yet another passphrase' });
      expect(reused.status).toBe(400);
      expect(reused.body.message).toMatch(/invalid, used or expired/);
      const types = (await auditOf(ada.id)).map((event) => event.type);
      expect(types).toEqual(expect.arrayContaining(['password.reset_requested', 'password.reset', 'email.verified']));
      // Following the link proved the address.
      expect(
        seen(await (await loginAs(t, { ...ada, password: 'a brand new passphrase' }, 'jwt')).get('/api/users/me')).body
          .emailVerified,
      ).toBe(true);
    });

    it('an expired token answers 400 and leaves the password as it was; its lifetime is PASSWORD_RESET_TTL', async () => {
      const ada = await createUser(t);
      const token = await forgotToken(ada);
      const [row] = await t.app
        .get(DataSource)
        .query(
          `SELECT expires_at - created_at AS ttl FROM recovery_tokens WHERE purpose = 'password_reset' AND user_id = $1`,
          [ada.id],
        );
      expect(row.ttl).toMatchObject({ minutes: 30 });
      await t.app
        .get(DataSource)
        .query(
          `UPDATE recovery_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND purpose = 'password_reset'`,
          [ada.id],
        );
      await post('/api/auth/password/reset', { token, newPassword: 'a brand new passphrase' }).then((res) =>
        expect(res.status).toBe(400),
      );
      await loginAs(t, ada, 'jwt');
    });

    it('a newer reset link makes an older unused one worthless once used', async () => {
      const ada = await createUser(t);
      const first = await forgotToken(ada, 2);
      const second = await forgotToken(ada, 3);
      await post('/api/auth/password/reset', { token: second, newPassword: 'a brand new passphrase' }).then((res) =>
        expect(res.status).toBe(204),
      );
      await post('/api/auth/password/reset', { token: first, newPassword: 'another new passphrase' }).then((res) =>
        expect(res.status).toBe(400),
      );
    });

    it('the new password follows the registration rules: 400, and the token stays usable', async () => {
      const ada = await createUser(t);
      const token = await forgotToken(ada);
      await post('/api/auth/password/reset', { token, newPassword: 'short' }).then((res) =>
        expect(res.status).toBe(400),
      );
      await post('/api/auth/password/reset', { token, newPassword: 'x'.repeat(129) }).then((res) =>
        expect(res.status).toBe(400),
      );
      await post('/api/auth/password/reset', { token, newPassword: 'long enough now' }).then((res) =>
        expect(res.status).toBe(204),
      );
    });

    it('forgot answers byte-identical bodies for registered and unknown addresses; only the registered one gets mail or audit', async () => {
      const ada = await createUser(t);
      const unknown = uniqueEmail('nobody');
      const known = await post('/api/auth/password/forgot', { email: ada.email });
      const other = await post('/api/auth/password/forgot', { email: unknown });
      expect([known.status, other.status]).toEqual([202, 202]);
      expect(other.text).toBe(known.text);
      expect(other.headers['content-type']).toBe(known.headers['content-type']);
      expect(other.headers['content-length']).toBe(known.headers['content-length']);
      await settled(t);
      expect(smtp.to(ada.email).map((mail) => mail.subject)).toEqual([
        'Confirm your email address',
        'Reset your password',
      ]);
      expect(smtp.to(unknown)).toEqual([]);
      const [{ count }] = await t.app
        .get(DataSource)
        .query(
          `SELECT count(*)::int AS count FROM auth_events WHERE type = 'password.reset_requested' AND user_id IS NULL`,
        );
      expect(count).toBe(0);
    });

    it('forgot answers before the account is looked up or the mail sent: a stuck mail server does not slow it', async () => {
      const ada = await createUser(t);
      await smtp.waitFor(ada.email);
      smtp.hold();
      try {
        const started = Date.now();
        await post('/api/auth/password/forgot', { email: ada.email }).then((res) => expect(res.status).toBe(202));
        expect(Date.now() - started).toBeLessThan(2_000);
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(smtp.to(ada.email)).toHaveLength(1);
      } finally {
        smtp.release();
      }
      mailedToken(await smtp.waitFor(ada.email, 2));
    });
  });

  it('no answer, log line or audit event of these flows holds a mailed token or its hash', async () => {
    await settled(t);
    const events = JSON.stringify(await t.app.get(DataSource).query(`SELECT * FROM auth_events`));
    expect(tokens.length).toBeGreaterThanOrEqual(8);
    expect(responses.length).toBeGreaterThan(30);
    expect(logLines.length).toBeGreaterThan(30);
    const secrets = tokens.flatMap((token) => [token, createHash('sha256').update(token).digest('hex')]);
    const found = (where: string, text: string) => secrets.filter((secret) => text.includes(secret)).map(() => where);
    expect([
      ...found('responses', responses.join('\n')),
      ...found('logs', logLines.join('\n')),
      ...found('audit', events),
    ]).toEqual([]);
    // The scan can see a token where one is: the mails hold them.
    expect(found('mail', smtp.received.map((mail) => mail.text).join('\n')).length).toBe(tokens.length);
  });
});

describe('REQUIRE_VERIFIED_EMAIL=true', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    t = await createTestApp({ env: { SMTP_URL: smtp.url, REQUIRE_VERIFIED_EMAIL: 'true' } });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it.each(['session', 'token'] as const)(
    '%s login of an unverified account: 401 for a wrong password, 403 email_not_verified for the right one, 200 once verified',
    async (kind) => {
      const ada = await createUser(t);
      const path = `/api/auth/${kind}/login`;
      await request(t.http).post(path).send({ email: ada.email, password: 'wrong password!' }).expect(401);
      const refused = await request(t.http).post(path).send({ email: ada.email, password: ada.password }).expect(403);
      expect(refused.body).toEqual({
        statusCode: 403,
        message: expect.stringMatching(/not verified/),
        error: 'email_not_verified',
      });
      expect(refused.headers['set-cookie']).toBeUndefined();
      expect(refused.body.accessToken).toBeUndefined();
      await request(t.http)
        .post('/api/auth/email/verify')
        .send({ token: tokenFrom(await smtp.waitFor(ada.email)) })
        .expect(204);
      await request(t.http).post(path).send({ email: ada.email, password: ada.password }).expect(200);
    },
  );
});

describe('mail request limits', () => {
  let t: TestApp;
  // A client address of this run's own: the per-IP counter lives in Redis across runs when REDIS_URL is set.
  const ip = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
  beforeAll(async () => {
    t = await createTestApp({ env: { RECOVERY_MAX_PER_EMAIL: '2', RECOVERY_MAX_PER_IP: '5', TRUST_PROXY: '1' } });
  });
  afterAll(() => t.close());
  const forgot = (email: string, from = ip) =>
    request(t.http).post('/api/auth/password/forgot').set('X-Forwarded-For', from).send({ email });

  it('per address: 429 with Retry-After past RECOVERY_MAX_PER_EMAIL, for a registered and an unknown address alike', async () => {
    const ada = await createUser(t);
    const unknown = uniqueEmail('nobody');
    for (const email of [ada.email, unknown]) {
      await forgot(email, '192.0.2.1').expect(202);
      await forgot(email.toUpperCase(), '192.0.2.2').expect(202);
      const refused = await forgot(email, '192.0.2.3').expect(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('per IP: 429 past RECOVERY_MAX_PER_IP whatever the address; resend counts too', async () => {
    for (let i = 0; i < 5; i++) await forgot(uniqueEmail('x')).expect(202);
    await forgot(uniqueEmail('x')).expect(429);
    await forgot(uniqueEmail('x'), '192.0.2.99').expect(202);
    const ada = await createUser(t);
    const client = await loginAs(t, ada, 'jwt');
    await client.post('/api/auth/email/resend').set('X-Forwarded-For', ip).expect(429);
  });
});

describe('without SMTP_URL: the outbox', () => {
  let t: TestApp;
  const lines: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    });
    t = await createTestApp({ env: { LOG_LEVEL: 'info' }, logger: pino({ level: 'info' }, sink) });
  });
  afterAll(() => t.close());

  it('each message is a complete .eml file in DATA_DIR/outbox; the log names the file, never the link', async () => {
    const ada = await createUser(t);
    await request(t.http).post('/api/auth/password/forgot').send({ email: ada.email }).expect(202);
    await settled(t);
    const outbox = join(t.db.dataDir, 'outbox');
    const files = readdirSync(outbox).filter((file) => file.endsWith('.eml'));
    expect(files).toHaveLength(2);
    const messages = files.map((file) => readFileSync(join(outbox, file), 'utf8'));
    for (const message of messages)
      expect(message).toMatch(new RegExp(`^To: ${ada.email.replace(/[.]/g, '\\.')}\\r$`, 'm'));
    const reset = messages.find((message) => message.includes('Subject: Reset your password'));
    expect(reset).toBeDefined();
    for (const file of files) expect(lines.join('')).toContain(join(outbox, file));
    const token = /token=3D([A-Za-z0-9_-]+)|token=([A-Za-z0-9_-]+)/.exec(reset!)?.slice(1).find(Boolean);
    expect(token).toMatch(/^[A-Za-z0-9_-]{20,}/);
    expect(lines.join('')).not.toContain(token!.slice(0, 20));
  });
});
