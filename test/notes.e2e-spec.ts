import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createNote, createUser, loginAs, type Client } from './support/kit.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('/api/notes', () => {
  let t: TestApp;
  let ada: Client;
  let bob: Client;
  beforeAll(async () => {
    t = await createTestApp();
    ada = await loginAs(t, await createUser(t), 'session');
    bob = await loginAs(t, await createUser(t), 'session');
  });
  afterAll(async () => {
    await t.close();
  });

  it('POST creates a note: 201 with {id, title, body, createdAt, updatedAt}', async () => {
    const res = await ada.post('/api/notes').send({ title: 'Groceries', body: 'Milk' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      title: 'Groceries',
      body: 'Milk',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it('GET /:id, PATCH /:id and DELETE /:id answer 200, 200, 204', async () => {
    const note = await createNote(ada, { title: 'Draft' });
    await ada
      .get(`/api/notes/${note.id}`)
      .expect(200)
      .expect((res) => expect(res.body).toEqual(note));
    const patched = await ada.patch(`/api/notes/${note.id}`).send({ body: 'Edited' }).expect(200);
    expect(patched.body).toMatchObject({ id: note.id, title: 'Draft', body: 'Edited' });
    await ada.delete(`/api/notes/${note.id}`).expect(204);
    await ada.get(`/api/notes/${note.id}`).expect(404);
  });

  it('lists only the caller’s notes, newest first, paginated as {items, total, page, limit}', async () => {
    const carol = await loginAs(t, await createUser(t), 'session');
    for (let i = 1; i <= 5; i++) await createNote(carol, { title: `n${i}` });
    await createNote(bob, { title: 'not carol’s' });

    const first = await carol.get('/api/notes?page=1&limit=2').expect(200);
    expect(first.body).toMatchObject({ total: 5, page: 1, limit: 2 });
    expect(first.body.items.map((n: { title: string }) => n.title)).toEqual(['n5', 'n4']);
    const last = await carol.get('/api/notes?page=3&limit=2').expect(200);
    expect(last.body.items.map((n: { title: string }) => n.title)).toEqual(['n1']);
    const all = await carol.get('/api/notes').expect(200);
    expect(all.body).toMatchObject({ total: 5, page: 1, limit: 20 });
  });

  it('another user’s note is 404 for read, change and delete — never 403 or the note', async () => {
    const note = await createNote(ada, { title: 'private' });
    for (const res of [
      await bob.get(`/api/notes/${note.id}`),
      await bob.patch(`/api/notes/${note.id}`).send({ title: 'mine now' }),
      await bob.delete(`/api/notes/${note.id}`),
    ]) {
      expect(res.status).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain('private');
    }
    await ada
      .get(`/api/notes/${note.id}`)
      .expect(200)
      .expect((res) => expect(res.body.title).toBe('private'));
  });

  it.each([
    ['a missing title', { body: 'b' }],
    ['an empty title', { title: '', body: 'b' }],
    ['a title over 200 characters', { title: 't'.repeat(201), body: 'b' }],
    ['a body over 10 000 characters', { title: 't', body: 'b'.repeat(10_001) }],
    ['a non-string body', { title: 't', body: 42 }],
    ['an unknown field', { title: 't', body: 'b', ownerId: '00000000-0000-0000-0000-000000000000' }],
  ])('POST answers 400 for %s', async (_case, body) => {
    const res = await ada.post('/api/notes').send(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, message: expect.any(Array) });
  });

  it.each([
    'page=0',
    'limit=0',
    'limit=101',
    'page=abc',
    'limit=1.5',
    'page=%00',
    'page=1000000000000000000',
    'page=1e300',
  ])('GET answers 400 for ?%s', async (query) => {
    await ada.get(`/api/notes?${query}`).expect(400);
  });

  it('PATCH answers 400 for a null field (both are required)', async () => {
    const note = await createNote(ada);
    await ada.patch(`/api/notes/${note.id}`).send({ title: null }).expect(400);
    await ada.patch(`/api/notes/${note.id}`).send({ body: null }).expect(400);
  });

  it('GET ignores unknown query parameters', async () => {
    const res = await ada.get('/api/notes?limit=1&sort=title&_=123').expect(200);
    expect(res.body.limit).toBe(1);
  });

  it('refuses a NUL character in a string with a 400, not a database error', async () => {
    const res = await ada.post('/api/notes').send({ title: 'nul\u0000byte', body: 'b' });
    expect(res.status).toBe(400);
    expect(res.body.message).toEqual(['strings must not contain NUL characters']);
  });

  it('keeps unicode intact', async () => {
    const note = await createNote(ada, { title: 'Ünïcødé 🚀 ☃', body: 'e\u0301 ≠ é' });
    expect((await ada.get(`/api/notes/${note.id}`).expect(200)).body).toMatchObject({
      title: 'Ünïcødé 🚀 ☃',
      body: 'e\u0301 ≠ é',
    });
  });

  it('a non-uuid id is 400, an unknown uuid 404', async () => {
    await ada.get('/api/notes/not-a-uuid').expect(400);
    await ada.patch('/api/notes/1').send({ title: 'x' }).expect(400);
    await ada.get('/api/notes/3f0c6a52-8d1e-4a7b-9a43-6f0f3f7d9b11').expect(404);
  });

  it('is 401 without a login', async () => {
    await request(t.http).get('/api/notes').expect(401);
  });
});
