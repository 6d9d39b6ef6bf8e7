import { ValidationPipe, type INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { jsonBody } from './common/json-body.js';
import { createLogger, httpLogger, PinoLoggerService } from './common/logging/logger.js';
import { ConfigService, type AppConfigService } from './config/config.module.js';
import { setupSwagger } from './swagger.js';

export const GLOBAL_PREFIX = 'api';

/**
 * Everything `main.ts` and the e2e tests share, in request order: logging, helmet, body,
 * validation, Swagger. The app must be created with `{ bodyParser: false }`.
 */
export async function setupApp(app: INestApplication, logger?: Logger): Promise<INestApplication> {
  const expressApp = app as NestExpressApplication;
  const config = app.get<AppConfigService>(ConfigService);
  const { logLevel, trustProxy, corsOrigins } = config.get('app', { infer: true });

  const log = logger ?? createLogger(logLevel, false);
  app.useLogger(new PinoLoggerService(log));
  expressApp.set('trust proxy', trustProxy);
  expressApp.disable('x-powered-by');

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
  app.use(...jsonBody());

  app.setGlobalPrefix(GLOBAL_PREFIX, { exclude: ['.well-known/jwks.json'] });
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false }),
  );
  app.enableShutdownHooks();
  setupSwagger(app);
  return app;
}
