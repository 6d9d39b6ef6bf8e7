import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runLoad, type LoadSpec } from './load.js';

/** Answers with the user its `x-user` header names; `x-user: carol` is answered as someone else. */
function echoServer(): Server {
  return createServer((request, response) => {
    const user = String(request.headers['x-user']);
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ id: user === 'carol' ? 'mallory' : user }));
  });
}

describe('runLoad with fixed requests (variants)', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = echoServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const spec = (users: string[]): LoadSpec => ({
    base,
    path: '/',
    variants: users.map((id) => ({ headers: { 'x-user': id }, context: { user: { id } } })),
    check: (body, context) => (JSON.parse(body) as { id: string }).id === (context.user as { id: string }).id,
  });

  it('checks each answer against the user of the request it answers, for every variant', async () => {
    const seen = new Set<string>();
    const outcome = await runLoad(
      [
        {
          ...spec(['alice', 'bob']),
          check: (body, context) => {
            const id = (context.user as { id: string }).id;
            seen.add(id);
            return (JSON.parse(body) as { id: string }).id === id;
          },
        },
      ],
      { connections: 2, seconds: 1 },
    );
    expect(outcome.requests).toBeGreaterThan(10);
    expect(outcome.mismatches).toBe(0);
    expect([...seen].sort()).toEqual(['alice', 'bob']);
  });

  it('with several specs, sends each as often as the others, whatever their number of variants', async () => {
    const answered = { many: 0, one: 0 };
    const counting = (key: keyof typeof answered, users: string[]): LoadSpec => ({
      ...spec(users),
      check: () => {
        answered[key]++;
        return true;
      },
    });
    await runLoad([counting('many', ['alice', 'bob', 'dave', 'erin']), counting('one', ['frank'])], {
      connections: 2,
      seconds: 1,
    });
    expect(answered.many).toBeGreaterThan(10);
    expect(Math.abs(answered.many - answered.one)).toBeLessThanOrEqual(4);
  });

  it('counts an answer meant for someone else as a mismatch', async () => {
    const outcome = await runLoad([spec(['alice', 'carol'])], { connections: 2, seconds: 1 });
    expect(outcome.mismatches).toBeGreaterThan(0);
    // every other request is carol's
    expect(outcome.mismatches).toBeGreaterThanOrEqual(Math.floor(outcome.requests / 2) - 2);
    expect(outcome.firstMismatch).toContain('mallory');
  });
});
