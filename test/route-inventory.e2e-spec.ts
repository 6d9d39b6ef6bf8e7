import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { GLOBAL_PREFIX, UNPREFIXED_ROUTES } from '../src/app.setup.js';
import { formatInventory, routeInventory } from '../src/auth/route-inventory.js';
import { createUser, loginAs } from './support/kit.js';
import { undecidedRouteModule } from './support/fixtures.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('route inventory', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('every route has an explicit decision: @Public() or @Auth(...)', () => {
    const undecided = routeInventory(t.app, GLOBAL_PREFIX, UNPREFIXED_ROUTES).filter(
      (route) => route.protection === 'undecided',
    );
    expect(undecided).toEqual([]);
  });

  it('matches the reviewed snapshot (a change of protection shows as a diff here)', () => {
    const inventory = formatInventory(routeInventory(t.app, GLOBAL_PREFIX, UNPREFIXED_ROUTES));
    // Printed so the whole surface can be read in the test log.
    process.stdout.write(`\nRoute inventory:\n${inventory}\n`);
    expect(inventory).toMatchSnapshot();
  });
});

const UndecidedModule = undecidedRouteModule('fixture-undecided');

describe('route inventory with an undecided route', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ imports: [UndecidedModule] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('flags the route, so the check above would fail', () => {
    const undecided = routeInventory(t.app, GLOBAL_PREFIX, UNPREFIXED_ROUTES).filter(
      (route) => route.protection === 'undecided',
    );
    expect(undecided).toEqual([{ method: 'GET', path: '/api/fixture-undecided', protection: 'undecided', roles: [] }]);
  });

  it('the guard still protects it: a login of either kind is required (secure by default)', async () => {
    const res = await request(t.http).get('/api/fixture-undecided');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    const client = await loginAs(t, await createUser(t), 'session');
    await client.get('/api/fixture-undecided').expect(200, { hello: 'world' });
  });
});
