import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { jsonBody, middlewareErrors } from './common/json-body.js';
import { AppValidationPipe } from './common/validation.pipe.js';
import { SESSION_MIDDLEWARE } from './sessions/sessions.constants.js';
import { createLogger, httpLogger, PinoLoggerService } from './common/logging/logger.js';
import { ConfigService, type AppConfigService } from './config/config.module.js';
import { setupSwagger } from './swagger.js';

export const GLOBAL_PREFIX = 'api';
/** Routes served outside the prefix: the JWKS lives where other services look for it. */
export const UNPREFIXED_ROUTES = ['.well-known/jwks.json'];

const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/**
 * Everything `main.ts` and the e2e tests share, in request order: logging, helmet, body,
 * session, Passport, validation, Swagger. The app must be created with `{ bodyParser: false }`.
 */
export async function setupApp(app: INestApplication, logger?: Logger): Promise<INestApplication> {
  const expressApp = app as NestExpressApplication;
  const config = app.get<AppConfigService>(ConfigService);
  const { logLevel, trustProxy, corsOrigins } = config.get('app', { infer: true });

  const log = logger ?? createLogger(logLevel, false);
  app.useLogger(new PinoLoggerService(log));
  expressApp.set('trust proxy', trustProxy);
  expressApp.disable('x-powered-by');
  // Express would hash every body (SHA-1) for an ETag; API answers are `no-store`, so nothing
  // could ever revalidate against it. Swagger UI's static files keep theirs (serve-static).
  expressApp.set('etag', false);

  app.use(httpLogger(log));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // Swagger UI loads its own scripts and styles and shows inline data: images.
          'img-src': ["'self'", 'data:', 'validator.swagger.io'],
          // Served over plain HTTP in development; TLS termination is the proxy's job.
          'upgrade-insecure-requests': null,
        },
      },
    }),
  );
  if (corsOrigins.length > 0) app.enableCors({ origin: corsOrigins, credentials: true });
  // API answers are per caller (user data, tokens): no cache or proxy may keep them.
  app.use(`/${GLOBAL_PREFIX}`, noStore);
  app.use(jsonBody());
  // Session and Passport, only for requests that carry a `sid` cookie (and session login).
  app.use(app.get<RequestHandler>(SESSION_MIDDLEWARE));
  app.use(middlewareErrors());

  app.setGlobalPrefix(GLOBAL_PREFIX, { exclude: UNPREFIXED_ROUTES });
  app.useGlobalPipes(new AppValidationPipe());
  app.enableShutdownHooks();
  await setupSwagger(app, { globalPrefix: GLOBAL_PREFIX, unprefixed: UNPREFIXED_ROUTES });
  return app;
}
