import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { RenormalizeEmails1764936000000 } from '../src/database/migrations/1764936000000-renormalize-emails.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** `H` + U+0331 lower-cases to `h` + U+0331, whose NFC is the single letter `ẖ` (U+1E96). */
const decomposed = (local: string) => `H\u0331${local}@example.com`;
const composed = (local: string) => `\u1e96${local}@example.com`;

/**
 * Spellings of one local part that NFC and lower-casing alone kept apart (RFC 8265 folds them):
 * the stored form of each is the folded one, which also satisfies `email = lower(email)`.
 */
const spellings: Array<[string, string, string, string]> = [
  ['a capital final sigma', 'ΟΔΥΣ', 'οδυσ', 'οδυσ'],
  ['a long s', 'ſam', 'sam', 'sam'],
  ['a sharp s', 'straße', 'strasse', 'strasse'],
  ['a capital sharp s', 'STRAẞE', 'strasse', 'strasse'],
  ['a full-width letter', '\uff56era', 'vera', 'vera'],
  ['a capital I with dot above', 'İpek', 'i\u0307pek', 'i\u0307pek'],
];
const spelled = (part: string, local: string) => `${part}-${local}@example.com`;

describe('one account and one lockout counter per address, whatever its Unicode spelling', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_MAX_FAILURES: '3' } });
  });
  afterAll(async () => {
    await t.close();
  });

  const login = (email: string, password: string) =>
    request(t.http).post('/api/auth/token/login').send({ email, password });

  it.each([
    ['decomposed', 'composed', decomposed, composed],
    ['composed', 'decomposed', composed, decomposed],
  ])('registers with the %s spelling and logs in with the %s one', async (_a, _b, register, other) => {
    const local = `ana-${randomUUID().slice(0, 8)}`;
    const created = await request(t.http)
      .post('/api/auth/register')
      .send({ email: register(local), password: 'correct horse battery' })
      .expect(201);
    expect(created.body.email).toBe(composed(local));
    await request(t.http)
      .post('/api/auth/register')
      .send({ email: other(local), password: 'correct horse battery' })
      .expect(409);
    const res = await login(other(local), 'correct horse battery');
    expect(res.status).toBe(200);
    const me = await request(t.http)
      .get('/api/users/me')
      .set('Authorization', `Bearer ${res.body.accessToken}`)
      .expect(200);
    expect(me.body.id).toBe(created.body.id);
  });

  it('counts failures under both spellings toward the same lockout', async () => {
    const local = `ana-${randomUUID().slice(0, 8)}`;
    await request(t.http)
      .post('/api/auth/register')
      .send({ email: decomposed(local), password: 'correct horse battery' })
      .expect(201);
    await login(decomposed(local), 'wrong password').expect(401);
    await login(composed(local), 'wrong password').expect(401);
    await login(decomposed(local), 'wrong password').expect(401);
    const locked = await login(composed(local), 'correct horse battery');
    expect(locked.status).toBe(429);
    expect(locked.headers['retry-after']).toBeDefined();
  });

  it('takes a domain and its punycode for one address', async () => {
    const local = `ana-${randomUUID().slice(0, 8)}`;
    const created = await request(t.http)
      .post('/api/auth/register')
      .send({ email: `${local}@b\u00fccher.de`, password: 'correct horse battery' });
    expect(created.status).toBe(201);
    expect(created.body.email).toBe(`${local}@b\u00fccher.de`);
    await request(t.http)
      .post('/api/auth/register')
      .send({ email: `${local}@xn--bcher-kva.de`, password: 'another horse battery' })
      .expect(409);
    const res = await login(`${local}@XN--BCHER-KVA.de`, 'correct horse battery').expect(200);
    expect(res.body.accessToken).toEqual(expect.any(String));
  });

  it.each(spellings)(
    'registers with %s and logs in to the same account with the other spelling',
    async (_what, one, other, stored) => {
      const local = randomUUID().slice(0, 8);
      const created = await request(t.http)
        .post('/api/auth/register')
        .send({ email: spelled(one, local), password: 'correct horse battery' })
        .expect(201);
      expect(created.body.email).toBe(spelled(stored, local));
      await request(t.http)
        .post('/api/auth/register')
        .send({ email: spelled(other, local), password: 'correct horse battery' })
        .expect(409);
      const res = await login(spelled(other, local), 'correct horse battery');
      expect(res.status).toBe(200);
      const me = await request(t.http)
        .get('/api/users/me')
        .set('Authorization', `Bearer ${res.body.accessToken}`)
        .expect(200);
      expect(me.body.id).toBe(created.body.id);
    },
  );

  it.each(spellings)('counts failures under both spellings with %s toward one lockout', async (_what, one, other) => {
    const local = randomUUID().slice(0, 8);
    await request(t.http)
      .post('/api/auth/register')
      .send({ email: spelled(one, local), password: 'correct horse battery' })
      .expect(201);
    await login(spelled(one, local), 'wrong password').expect(401);
    await login(spelled(other, local), 'wrong password').expect(401);
    await login(spelled(one, local), 'wrong password').expect(401);
    const locked = await login(spelled(other, local), 'correct horse battery');
    expect(locked.status).toBe(429);
  });

  it.each([
    ['a zero-width space', '\u200b'],
    ['a zero-width joiner', '\u200d'],
    ['a word joiner', '\u2060'],
    ['a byte order mark', '\ufeff'],
    ['a soft hyphen', '\u00ad'],
    ['a control character', '\u0007'],
    ['a half-width Hangul filler', '\uffa0'],
    ['an em space', '\u2003'],
    ['a line separator', '\u2028'],
    ['a blank braille pattern', '\u2800'],
    ['an unassigned code point', '\u0378'],
  ])('refuses an email with %s inside, at registration and login', async (_what, invisible) => {
    const email = `ana${invisible}-${randomUUID().slice(0, 8)}@example.com`;
    const registered = await request(t.http)
      .post('/api/auth/register')
      .send({ email, password: 'correct horse battery' });
    expect(registered.status).toBe(400);
    expect(registered.body.message).toContain('email must not contain invisible characters');
    const loggedIn = await login(email, 'correct horse battery');
    expect(loggedIn.status).toBe(400);
    expect(loggedIn.body.message).toContain('email must not contain invisible characters');
  });

  it('re-normalises emails stored in the old form, unless another row holds the new form', async () => {
    const db = t.app.get(DataSource);
    const insert = async (email: string) => {
      const [row]: Array<{ id: string }> = await db.query(
        `INSERT INTO "users" ("email", "password_hash") VALUES ($1, 'x') RETURNING "id"`,
        [email],
      );
      return row!.id;
    };
    const alone = `ana-${randomUUID().slice(0, 8)}`;
    const taken = `ana-${randomUUID().slice(0, 8)}`;
    const aloneId = await insert(`h\u0331${alone}@example.com`);
    const takenOldId = await insert(`h\u0331${taken}@example.com`);
    const takenNewId = await insert(composed(taken));

    const runner = db.createQueryRunner();
    try {
      await new RenormalizeEmails1764936000000().up(runner);
    } finally {
      await runner.release();
    }
    const emails = async (id: string) =>
      (await db.query<Array<{ email: string }>>(`SELECT "email" FROM "users" WHERE "id" = $1`, [id]))[0]?.email;
    await expect(emails(aloneId)).resolves.toBe(composed(alone));
    await expect(emails(takenOldId)).resolves.toBe(`h\u0331${taken}@example.com`);
    await expect(emails(takenNewId)).resolves.toBe(composed(taken));
  });

  it('re-normalises emails stored before case folding and width mapping, unless another row holds the new form', async () => {
    const db = t.app.get(DataSource);
    const insert = async (email: string) => {
      const [row]: Array<{ id: string }> = await db.query(
        `INSERT INTO "users" ("email", "password_hash") VALUES ($1, 'x') RETURNING "id"`,
        [email],
      );
      return row!.id;
    };
    const emails = async (id: string) =>
      (await db.query<Array<{ email: string }>>(`SELECT "email" FROM "users" WHERE "id" = $1`, [id]))[0]?.email;
    // The rule those rows were stored under: NFC, then lower case, once.
    const before = (email: string) => email.normalize('NFC').toLowerCase();
    const local = randomUUID().slice(0, 8);
    const alone = await Promise.all(
      spellings.map(async ([, one, , stored], i) => ({
        id: await insert(before(spelled(one, `${i}-${local}`))),
        form: spelled(stored, `${i}-${local}`),
      })),
    );
    const takenOld = await insert(spelled('straße', `taken-${local}`));
    const takenNew = await insert(spelled('strasse', `taken-${local}`));
    const claimedA = await insert(spelled('straße', `claimed-${local}`));
    const claimedB = await insert(spelled('ſtraße', `claimed-${local}`));

    const runner = db.createQueryRunner();
    try {
      await new RenormalizeEmails1764936000000().up(runner);
    } finally {
      await runner.release();
    }
    for (const { id, form } of alone) await expect(emails(id)).resolves.toBe(form);
    await expect(emails(takenOld)).resolves.toBe(spelled('straße', `taken-${local}`));
    await expect(emails(takenNew)).resolves.toBe(spelled('strasse', `taken-${local}`));
    await expect(emails(claimedA)).resolves.toBe(spelled('straße', `claimed-${local}`));
    await expect(emails(claimedB)).resolves.toBe(spelled('ſtraße', `claimed-${local}`));
  });
});
