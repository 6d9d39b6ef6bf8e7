import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { setupApp } from './app.setup.js';
import { createLogger } from './common/logging/logger.js';
import { ConfigService, type AppConfigService } from './config/config.module.js';
import { ConfigError } from './config/env.schema.js';
import { DataDirLockedError } from './database/data-dir-lock.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(await AppModule.forRoot(), {
    bodyParser: false,
    // Start-up errors are printed by the catch below as one line; the pino logger takes over
    // once the configuration is known.
    logger: false,
    // Errors during start must reach the catch below, not abort the process with a core dump.
    abortOnError: false,
  });
  const config = app.get<AppConfigService>(ConfigService);
  const { port, logLevel } = config.get('app', { infer: true });
  const logger = createLogger(logLevel, Boolean(process.stdout.isTTY));
  await setupApp(app, logger);
  await app.listen(port);
  const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  logger.info(`API on ${url}/api — Swagger UI on ${url}/docs`);
}

bootstrap().catch((error: unknown) => {
  // Known start-up problems get one line naming the cause; anything else its stack.
  const known = error instanceof ConfigError || error instanceof DataDirLockedError;
  process.stderr.write(`${known ? error.message : String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
