import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { GLOBAL_PREFIX, UNPREFIXED_ROUTES } from '../src/app.setup.js';
import { routeInventory, type RouteDeclaration } from '../src/auth/route-inventory.js';
import { OPENAPI_ENV, openApiText } from '../scripts/openapi-document.mjs';
import { undecidedRouteModule } from './support/fixtures.js';
import { createTestApp, type TestApp } from './support/test-app.js';

interface Operation {
  summary?: string;
  description?: string;
  security?: Array<Record<string, string[]>>;
  responses: Record<string, { description: string }>;
}
interface Schema {
  type?: string;
  properties?: Record<
    string,
    {
      type?: string;
      example?: unknown;
      description?: string;
      minLength?: number;
      maxLength?: number;
      $ref?: string;
      allOf?: unknown[];
      items?: { $ref?: string };
    }
  >;
  required?: string[];
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

function operations(document: Document): Array<{ key: string; method: string; path: string; operation: Operation }> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, method, path, operation })),
  );
}

/** JSON pointers (RFC 6901) where `b` differs from `a`, the first `limit` of them. */
function differences(a: unknown, b: unknown, limit = 10, pointer = ''): string[] {
  if (a === b) return [];
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
  if (!isObject(a) || !isObject(b) || Array.isArray(a) !== Array.isArray(b))
    return [`${pointer || '/'}: ${JSON.stringify(a)?.slice(0, 60)} → ${JSON.stringify(b)?.slice(0, 60)}`];
  const found: string[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!(key in a)) found.push(`${at}: added`);
    else if (!(key in b)) found.push(`${at}: removed`);
    else found.push(...differences(a[key], b[key], limit - found.length, at));
    if (found.length >= limit) break;
  }
  return found.slice(0, limit);
}

/** The inventory's `/api/notes/:id` is the document's `/api/notes/{id}`. */
const documentKey = (route: RouteDeclaration) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`;

/**
 * What the guards do with a route, written out here independently of swagger.ts: public routes
 * skip authentication and roles, an undeclared one takes either login, cookies need the CSRF
 * header on unsafe methods, /api/auth/* is rate limited.
 */
function expected(route: RouteDeclaration, method: string) {
  const isPublic = route.protection === 'public';
  const accepted =
    route.protection === 'public' ? [] : route.protection === 'undecided' ? ['session', 'jwt'] : route.protection;
  const modes = ['session', 'jwt'].filter((mode) => accepted.includes(mode as never));
  const roles = isPublic ? [] : route.roles;
  const unsafe = !['get', 'head', 'options'].includes(method);
  return {
    // A fresh route (@Fresh) goes on to say how recent the login must be.
    label: `Auth: ${isPublic ? 'public' : modes.join(' or ')}${roles.length ? `; requires the ${roles.join(' and ')} role` : ''}${!isPublic && route.fresh ? '; fresh: ' : '.'}`,
    fresh: !isPublic && route.fresh !== undefined,
    modes,
    codes: {
      401: !isPublic,
      403: roles.length > 0 || (modes.includes('session') && unsafe),
      429: route.path.startsWith('/api/auth/'),
    },
  };
}

function check(document: Document, routes: RouteDeclaration[]): string[] {
  const byKey = new Map(routes.map((route) => [documentKey(route), route]));
  const problems: string[] = [];
  for (const { key, method, operation } of operations(document)) {
    const route = byKey.get(key);
    if (!route) {
      problems.push(`${key}: not in the route inventory`);
      continue;
    }
    const want = expected(route, method);
    const description = operation.description ?? '';
    if (!description.startsWith(want.label))
      problems.push(
        `${key}: description ${JSON.stringify(description.slice(0, 80))} does not start with ${JSON.stringify(want.label)}`,
      );
    if (want.fresh !== description.includes('insufficient_user_authentication'))
      problems.push(`${key}: step-up 401 ${want.fresh ? 'not named' : 'named'} in the description`);
    const schemes = [...new Set((operation.security ?? []).flatMap((requirement) => Object.keys(requirement)))].filter(
      (s) => s !== 'csrf',
    );
    if (schemes.join() !== want.modes.join())
      problems.push(`${key}: security ${schemes.join() || 'none'}, declared ${want.modes.join() || 'none'}`);
    const csrf = (operation.security ?? []).some((requirement) => 'session' in requirement && 'csrf' in requirement);
    if (csrf !== (want.modes.includes('session') && !['get', 'head'].includes(method)))
      problems.push(`${key}: csrf requirement ${csrf}`);
    for (const [code, can] of Object.entries(want.codes)) {
      // A handler may answer these codes itself (a wrong password is a 401 on a public route).
      if (can && !(code in operation.responses)) problems.push(`${key}: ${code} response missing`);
      if (can !== description.includes(` ${code} `))
        problems.push(`${key}: ${code} ${can ? 'not named' : 'named'} in the description`);
    }
  }
  return problems;
}

describe('OpenAPI document', () => {
  let t: TestApp;
  let document: Document;
  let routes: RouteDeclaration[];
  beforeAll(async () => {
    // Configured as `npm run openapi` starts the service, so the committed file can be compared.
    t = await createTestApp({ env: OPENAPI_ENV });
    document = (await request(t.http).get('/docs-json').expect(200)).body as Document;
    routes = routeInventory(t.app, GLOBAL_PREFIX, UNPREFIXED_ROUTES);
  });
  afterAll(async () => {
    await t.close();
  });

  it('documents every route of the inventory', () => {
    const documented = new Set(operations(document).map((op) => op.key));
    expect(routes.length).toBeGreaterThan(25);
    expect(routes.map(documentKey).filter((key) => !documented.has(key))).toEqual([]);
  });

  it('each operation says what its declaration accepts, its roles and its 401/403/429 answers', () => {
    expect(check(document, routes)).toEqual([]);
  });

  it('reads like this on the four kinds of declaration', () => {
    const op = (method: string, path: string) => document.paths[path]![method]!;
    expect(op('get', '/api/examples/either').description).toMatch(
      /^Auth: session or jwt\.\n\nAnswers 401 no valid session cookie or bearer token\./,
    );
    expect(op('get', '/api/examples/jwt-only').description).toMatch(
      /^Auth: jwt\.\n\nAnswers 401 no valid bearer token\./,
    );
    expect(op('get', '/api/examples/public').description).toBe('Auth: public.');
    expect(op('post', '/api/auth/token/login').description).toMatch(
      /^Auth: public\.\n\nAnswers 429 more than THROTTLE_AUTH_LIMIT requests a minute/,
    );
    expect(op('get', '/api/admin/users').description).toMatch(
      /^Auth: session; requires the admin role\.\n\nAnswers 401 no valid session cookie; 403 without the admin role\./,
    );
    expect(op('delete', '/api/admin/users/{id}').description).toMatch(
      /^Auth: session; requires the admin role; fresh: requires a login that proved the password within AUTH_FRESH_MAX_AGE \(default 5m\)\.\n\nAnswers 401 no valid session cookie, or `insufficient_user_authentication` \(with `maxAge`\) for a login proved too long ago: POST \/api\/auth\/reauthenticate, then retry; 403 without the admin role or without the session's X-CSRF-Token header on a cookie request\./,
    );
  });

  it('keeps hand-written responses', () => {
    expect(document.paths['/api/users/me/password']!.post!.responses['401']!.description).toBe(
      'Not logged in, or the current password is wrong',
    );
    expect(document.paths['/api/auth/session/login']!.post!.responses['429']!.description).toMatch(
      /^Too many failed attempts/,
    );
  });

  it('the check above catches a route labelled by hand the wrong way', () => {
    const forged = structuredClone(document);
    const either = forged.paths['/api/examples/either']!.get!;
    either.description = either.description!.replace('session or jwt', 'jwt');
    delete forged.paths['/api/admin/users']!.get!.responses['403'];
    expect(check(forged, routes).sort()).toEqual([
      expect.stringMatching(/^GET \/api\/admin\/users: 403 response missing/),
      expect.stringMatching(/^GET \/api\/examples\/either: description/),
    ]);
  });

  it('docs/openapi.json is the document the app serves, in its stable form', async () => {
    const committed = await readFile(join(import.meta.dirname, '..', 'docs', 'openapi.json'), 'utf8');
    const fresh = openApiText(document);
    if (committed !== fresh) {
      const changed = differences(JSON.parse(committed), JSON.parse(fresh));
      throw new Error(
        'docs/openapi.json is out of date: run `npm run openapi` and commit docs/openapi.json.\n' +
          (changed.length
            ? `Where the served document differs from the file:\n  ${changed.join('\n  ')}`
            : 'Same content, but not in the layout `npm run openapi` writes.'),
      );
    }
  });

  describe('schemas from the Swagger plugin metadata (src/metadata.ts)', () => {
    it('describes the login, register and note bodies with their properties and examples', () => {
      const { schemas } = document.components;
      expect(schemas.LoginDto).toEqual({
        type: 'object',
        properties: {
          email: { type: 'string', example: 'ada@example.com' },
          password: { type: 'string', example: 'correct horse battery staple', maxLength: 128 },
        },
        required: ['email', 'password'],
      });
      expect(schemas.RegisterDto).toMatchObject({
        properties: {
          email: { type: 'string', example: 'ada@example.com' },
          password: { type: 'string', description: '8 to 128 characters.', example: 'correct horse battery staple' },
          name: { type: 'string', example: 'Ada Lovelace' },
        },
        required: ['email', 'password'],
      });
      const note = {
        title: { type: 'string', example: 'Groceries', minLength: 1, maxLength: 200 },
        body: { type: 'string', example: 'Milk, eggs, flour', maxLength: 10_000 },
      };
      expect(schemas.CreateNoteDto).toMatchObject({ properties: note, required: ['title', 'body'] });
      expect(schemas.UpdateNoteDto).toMatchObject({ properties: note });
      expect(schemas.UpdateNoteDto!.required).toBeUndefined();
      expect(Object.keys(schemas.NoteResponse!.properties ?? {})).toEqual([
        'id',
        'title',
        'body',
        'createdAt',
        'updatedAt',
      ]);
      expect(Object.keys(schemas.SessionLoginResponse!.properties ?? {})).toEqual(['user', 'csrfToken']);
    });

    it('gives every DTO property an example, so "Try it out" starts from a body that works', () => {
      // A property that is another schema shows that schema's examples.
      const missing = Object.entries(document.components.schemas).flatMap(([name, schema]) =>
        Object.entries(schema.properties ?? {})
          .filter(
            ([, property]) =>
              property.example === undefined && !property.$ref && !property.allOf && !property.items?.$ref,
          )
          .map(([property]) => `${name}.${property}`),
      );
      // A class outside the plugin's files (*.dto.ts, *.response.ts, *.entity.ts) has no properties at all.
      const empty = Object.entries(document.components.schemas)
        .filter(([, schema]) => Object.keys(schema.properties ?? {}).length === 0)
        .map(([name]) => name);
      expect(Object.keys(document.components.schemas).length).toBeGreaterThan(10);
      expect({ missing, empty }).toEqual({ missing: [], empty: [] });
    });

    it("documents each operation's success answer, next to any error answers written by hand", () => {
      // The plugin adds the success response only to a method with no @Api*Response of its own.
      const missing = operations(document)
        .filter(({ operation }) => !Object.keys(operation.responses).some((code) => /^2\d\d$/.test(code)))
        .map(({ key }) => key);
      expect(missing).toEqual([]);
    });

    it("takes summaries from the controllers' doc comments and keeps them next to the Auth: line", () => {
      const login = document.paths['/api/auth/session/login']!.post!;
      expect(login.summary).toMatch(/^Logs in with a server-side session/);
      expect(login.description).toMatch(/^Auth: public\./);
      expect(document.paths['/api/users/me']!.get!.summary).toBe("The caller's account.");
    });

    it('src/metadata.ts is what scripts/swagger-metadata.mjs generates from the sources today', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'nda-swagger-metadata-'));
      try {
        const root = join(import.meta.dirname, '..');
        await promisify(execFile)(process.execPath, [join(root, 'scripts', 'swagger-metadata.mjs'), dir], {
          cwd: root,
        });
        const fresh = await readFile(join(dir, 'metadata.ts'), 'utf8');
        const committed = await readFile(join(root, 'src', 'metadata.ts'), 'utf8');
        // On a failure here: `node scripts/swagger-metadata.mjs` and commit src/metadata.ts.
        expect(committed === fresh).toBe(true);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }, 120_000);
  });
});

const UndecidedModule = undecidedRouteModule('fixture-undecided-docs');

describe('OpenAPI document: a route without a declaration', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ imports: [UndecidedModule] });
  });
  afterAll(async () => {
    await t.close();
  });

  it("shows the guard's secure default: session or jwt", async () => {
    const document = (await request(t.http).get('/docs-json').expect(200)).body as Document;
    const operation = document.paths['/api/fixture-undecided-docs']!.get!;
    expect(operation.description).toMatch(/^Auth: session or jwt\./);
    expect(operation.security).toEqual([{ session: [] }, { jwt: [] }]);
    expect(Object.keys(operation.responses)).toContain('401');
    expect(check(document, routeInventory(t.app, GLOBAL_PREFIX, UNPREFIXED_ROUTES))).toEqual([]);
  });
});
