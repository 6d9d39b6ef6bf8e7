import type { INestApplication } from '@nestjs/common';
import {
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
  type OperationObject,
  type SecurityRequirementObject,
} from '@nestjs/swagger';
import { AUTH_PATH_PREFIX } from './abuse/auth-rate-limit.guard.js';
import { routeInventory, type RouteDeclaration } from './auth/route-inventory.js';
import { AuthMode } from './auth-decorators/auth-mode.js';
import { SECURITY } from './auth-decorators/security-schemes.js';
import { ConfigService, type AppConfigService } from './config/config.module.js';
import pluginMetadata from './metadata.js';
import { sessionCookieName } from './sessions/session.middleware.js';

/** Where the routes live; app.setup.ts owns these and passes them in. */
export interface RoutePrefixes {
  globalPrefix: string;
  unprefixed: string[];
}

/** The guard's secure default for a route that declares nothing. */
const UNDECLARED: AuthMode[] = [AuthMode.Session, AuthMode.Jwt];
/** Methods the CSRF check lets through (sessions/csrf.service.ts). */
const CSRF_SAFE = new Set(['get', 'head', 'options']);
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const CREDENTIAL: Record<AuthMode, string> = { [AuthMode.Session]: 'session cookie', [AuthMode.Jwt]: 'bearer token' };

/** What the guard (and the /api/auth rate limit in front of it) answers before the handler runs. */
export interface AuthAnswers {
  /** `Auth: session or jwt; requires the admin role.` */
  label: string;
  modes: AuthMode[];
  401?: string;
  403?: string;
  429?: string;
}

/** Read as the guards read it: `@Public()` skips authentication and roles altogether. */
export function authAnswers(
  route: Pick<RouteDeclaration, 'method' | 'path' | 'protection' | 'roles' | 'fresh'>,
): AuthAnswers {
  const rateLimited = route.path.toLowerCase().startsWith(AUTH_PATH_PREFIX)
    ? 'more than THROTTLE_AUTH_LIMIT requests a minute from this address to /api/auth/*; see Retry-After'
    : undefined;
  if (route.protection === 'public') return { label: 'Auth: public.', modes: [], 429: rateLimited };

  const declared = route.protection === 'undecided' ? UNDECLARED : route.protection;
  // Canonical order, however the declaration listed them.
  const modes = Object.values(AuthMode).filter((mode) => declared.includes(mode));
  const roles = route.roles.length
    ? `the ${route.roles.join(' and ')} role${route.roles.length > 1 ? 's' : ''}`
    : undefined;
  const forbidden = [
    roles && `without ${roles}`,
    modes.includes(AuthMode.Session) &&
      !CSRF_SAFE.has(route.method.toLowerCase()) &&
      "without the session's X-CSRF-Token header on a cookie request",
  ].filter(Boolean);
  const fresh =
    route.fresh === undefined
      ? undefined
      : `a login that proved the password within ${route.fresh === 'default' ? 'AUTH_FRESH_MAX_AGE (default 5m)' : `${route.fresh} seconds`}`;
  return {
    label: `Auth: ${modes.join(' or ')}${roles ? `; requires ${roles}` : ''}${fresh ? `; fresh: requires ${fresh}` : ''}.`,
    modes,
    401: `no valid ${modes.map((mode) => CREDENTIAL[mode]).join(' or ')}${
      fresh
        ? ', or `insufficient_user_authentication` (with `maxAge`) for a login proved too long ago: POST /api/auth/reauthenticate, then retry'
        : ''
    }`,
    403: forbidden.length ? forbidden.join(' or ') : undefined,
    429: rateLimited,
  };
}

function security(modes: AuthMode[], method: string): SecurityRequirementObject[] {
  // Separate requirement objects mean "either"; keys within one object mean "both".
  return modes.map((mode): SecurityRequirementObject =>
    mode === AuthMode.Jwt
      ? { [SECURITY.jwt]: [] }
      : CSRF_SAFE.has(method)
        ? { [SECURITY.session]: [] }
        : { [SECURITY.session]: [], [SECURITY.csrf]: [] },
  );
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Writes each operation's protection into the document from the metadata the guard reads, so
 * the docs cannot drift from the code and a route nobody declared shows the guard's default:
 * the security requirements, a description that starts with the `Auth:` line and lists the
 * 401/403/429 answers, and those responses. Summaries, descriptions and responses written by
 * hand stay: a hand-written response knows its route better than the generic reason.
 */
export function describeProtection(document: OpenAPIObject, routes: RouteDeclaration[]): void {
  const byOperation = new Map(
    routes.map((route) => [`${route.method.toLowerCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`, route]),
  );
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation: OperationObject | undefined = item[method];
      const route = byOperation.get(`${method} ${path}`);
      if (!operation || !route) continue;
      const answers = authAnswers(route);
      const codes = (['401', '403', '429'] as const).filter((code) => answers[code]);
      const list = codes.map((code) => `${code} ${answers[code]}`).join('; ');
      operation.description = [answers.label, list && `Answers ${list}.`, operation.description]
        .filter(Boolean)
        .join('\n\n');
      if (answers.modes.length) operation.security = security(answers.modes, method);
      else delete operation.security;
      for (const code of codes) operation.responses[code] ??= { description: `${capitalise(answers[code]!)}.` };
    }
  }
}

function buildOpenApiDocument(app: INestApplication, prefixes: RoutePrefixes): OpenAPIObject {
  const cookie = sessionCookieName({
    session: app.get<AppConfigService>(ConfigService).get('session', { infer: true }),
  });
  const config = new DocumentBuilder()
    .setTitle('nest-dual-auth')
    .setDescription(
      `Every route declares how it is protected: a server-side session (cookie \`${cookie}\`: ` +
        '`__Host-sid` when `COOKIE_SECURE` is on, `sid` over plain HTTP; plus the ' +
        '`X-CSRF-Token` header on state-changing requests), a JWT bearer token, or either. ' +
        "Each operation's description starts with its `Auth:` line. " +
        'Log in with `POST /api/auth/session/login` (the browser keeps the cookie, and this page puts ' +
        'the `csrfToken` from the answer under Authorize → csrf by itself) or ' +
        '`POST /api/auth/token/login` and paste the access token under Authorize → jwt.',
    )
    .setVersion('0.1.0')
    .addCookieAuth(
      cookie,
      { type: 'apiKey', in: 'cookie', name: cookie, description: 'Session cookie set by session login' },
      SECURITY.session,
    )
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from token login' },
      SECURITY.jwt,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-CSRF-Token',
        description: 'csrfToken from session login or GET /api/auth/csrf',
      },
      SECURITY.csrf,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config);
  describeProtection(document, routeInventory(app, prefixes.globalPrefix, prefixes.unprefixed));
  return document;
}

/**
 * Runs in the browser, as Swagger UI's `responseInterceptor`: a JSON answer carrying a
 * `csrfToken` (session login, GET /api/auth/csrf) fills Authorize → `X-CSRF-Token`, so the
 * cookie's unsafe requests send the header their `csrf` security requirement asks for, and the
 * dialog shows what is sent. @nestjs/swagger writes function values of `swaggerOptions` into
 * swagger-ui-init.js with `Function.prototype.toString()`; a function compiled with the app
 * would carry whatever SWC, tsc or a coverage instrumenter put into its body, so the source is
 * kept here as text (an inline `customJsStr` script would be refused by helmet's CSP).
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- source text on purpose, see above
export const csrfResponseInterceptor = new Function(
  'response',
  `
  var token = response && response.ok && response.body && response.body.csrfToken;
  if (typeof token === 'string' && window.ui) window.ui.preauthorizeApiKey(${JSON.stringify(SECURITY.csrf)}, token);
  return response;
`,
) as (response: unknown) => unknown;

export async function setupSwagger(app: INestApplication, prefixes: RoutePrefixes): Promise<void> {
  // DTO properties, examples, response types and summaries from doc comments: what the
  // @nestjs/swagger CLI plugin would compile in, generated into metadata.ts by
  // scripts/swagger-metadata.mjs, so SWC-compiled tests and `nest build` serve one document.
  await SwaggerModule.loadPluginMetadata(pluginMetadata);
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, prefixes), {
    jsonDocumentUrl: 'docs-json',
    // withCredentials: the browser sends the session cookie with "Try it out" requests.
    swaggerOptions: { persistAuthorization: true, withCredentials: true, responseInterceptor: csrfResponseInterceptor },
  });
}
