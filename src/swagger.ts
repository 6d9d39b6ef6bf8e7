import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { SECURITY } from './auth-decorators/security-schemes.js';
import { ConfigService, type AppConfigService } from './config/config.module.js';
import { sessionCookieName } from './sessions/session.middleware.js';


function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const cookie = sessionCookieName({ session: app.get<AppConfigService>(ConfigService).get('session', { infer: true }) });
  const config = new DocumentBuilder()
    .setTitle('nest-dual-auth')
    .setDescription(
      `Every route declares how it is protected: a server-side session (cookie \`${cookie}\`: ` +
        '`__Host-sid` when `COOKIE_SECURE` is on, `sid` over plain HTTP; plus the ' +
        '`X-CSRF-Token` header on state-changing requests), a JWT bearer token, or either. ' +
        'Log in with `POST /api/auth/session/login` (the browser keeps the cookie) or ' +
        '`POST /api/auth/token/login` and paste the access token under Authorize.',
    )
    .setVersion('0.1.0')
    .addCookieAuth(cookie, { type: 'apiKey', in: 'cookie', name: cookie, description: 'Session cookie set by session login' }, SECURITY.session)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from token login' }, SECURITY.jwt)
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-CSRF-Token', description: 'csrfToken from session login or GET /api/auth/csrf' },
      SECURITY.csrf,
    )
    .build();
  return SwaggerModule.createDocument(app, config);
}

export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true, withCredentials: true },
  });
}
