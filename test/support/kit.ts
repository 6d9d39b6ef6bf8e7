import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { UsersService } from '../../src/users/users.service.js';
import type { Role } from '../../src/users/user.entity.js';
import type { TestApp } from './test-app.js';

/**
 * The test kit: make users and notes, and log in as a user by either mechanism, in a line each.
 *
 *   const ada = await createUser(t);
 *   const client = await loginAs(t, ada, 'session');
 *   await client.post('/api/notes').send({ title: 'a', body: 'b' }).expect(201);
 */

export interface TestUser {
  id: string;
  email: string;
  password: string;
  name: string | null;
  roles: Role[];
}

export type LoginMode = 'session' | 'jwt';

/** A supertest agent that carries one login: the cookie and CSRF header, or the bearer token. */
export interface Client {
  agent: TestAgent;
  mode: LoginMode;
  user: TestUser;
  /** The login record id (from the devices list). */
  loginId?: string;
  csrfToken?: string;
  /** The session cookie as sent back (`sid=...`, or `__Host-sid=...` when Secure), for replaying it elsewhere. */
  cookie?: string;
  accessToken?: string;
  refreshToken?: string;
  get: TestAgent['get'];
  post: TestAgent['post'];
  patch: TestAgent['patch'];
  put: TestAgent['put'];
  delete: TestAgent['delete'];
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}@example.com`;
}

/** Registers a user through the API; `roles` other than the default are set directly. */
export async function createUser(
  t: TestApp,
  overrides: { email?: string; password?: string; name?: string; roles?: Role[] } = {},
): Promise<TestUser> {
  const password = overrides.password ?? 'correct horse battery';
  const res = await request(t.http)
    .post('/api/auth/register')
    .send({ email: overrides.email ?? uniqueEmail(), password, ...(overrides.name ? { name: overrides.name } : {}) });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  let roles = res.body.roles as Role[];
  if (overrides.roles) roles = (await t.app.get(UsersService).setRoles(res.body.id, overrides.roles)).roles;
  return { id: res.body.id, email: res.body.email, name: res.body.name, password, roles };
}

export const createAdmin = (t: TestApp) => createUser(t, { roles: ['user', 'admin'] });

/** The session cookie from Set-Cookie: `sid` over plain HTTP, `__Host-sid` when COOKIE_SECURE is on. */
export function sidCookie(setCookie: string[] | string | undefined): string | undefined {
  const cookies = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return cookies.find((cookie) => cookie.startsWith('sid=') || cookie.startsWith('__Host-sid='))?.split(';')[0];
}

/** Logs `user` in by `mode` and returns a client that sends the matching credentials. */
export async function loginAs(
  t: TestApp,
  user: TestUser,
  mode: LoginMode,
  headers: Record<string, string> = {},
): Promise<Client> {
  const agent = request.agent(t.http);
  const credentials = { email: user.email, password: user.password };
  const base = {
    agent,
    mode,
    user,
    get: agent.get.bind(agent),
    post: agent.post.bind(agent),
    patch: agent.patch.bind(agent),
    put: agent.put.bind(agent),
    delete: agent.delete.bind(agent),
  };
  if (mode === 'session') {
    const res = await agent.post('/api/auth/session/login').set(headers).send(credentials);
    if (res.status !== 200) throw new Error(`session login failed: ${res.status} ${JSON.stringify(res.body)}`);
    agent.set('X-CSRF-Token', res.body.csrfToken);
    return { ...base, csrfToken: res.body.csrfToken, cookie: sidCookie(res.headers['set-cookie']) };
  }
  const res = await agent.post('/api/auth/token/login').set(headers).send(credentials);
  if (res.status !== 200) throw new Error(`token login failed: ${res.status} ${JSON.stringify(res.body)}`);
  agent.set('Authorization', `Bearer ${res.body.accessToken}`);
  return { ...base, accessToken: res.body.accessToken, refreshToken: res.body.refreshToken };
}

/** Creates a note through the API as `client`. */
export async function createNote(client: Client, overrides: { title?: string; body?: string } = {}) {
  const res = await client
    .post('/api/notes')
    .send({ title: overrides.title ?? 'A note', body: overrides.body ?? 'Its body' });
  if (res.status !== 201) throw new Error(`create note failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; title: string; body: string; createdAt: string; updatedAt: string };
}
