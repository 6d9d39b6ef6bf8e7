import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { Logger } from 'pino';
import type { App } from 'supertest/types.js';
import { AppModule } from '../../src/app.module.js';
import { setupApp } from '../../src/app.setup.js';
import type { Env } from '../../src/config/env.schema.js';
import { EMBEDDED_DATABASE } from '../../src/database/database.constants.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestApp {
  app: INestApplication;
  /** The server to hand to supertest: `request(t.http)`. */
  http: App;
  db: TestDatabase;
  close(): Promise<void>;
}

/** Settings every test app starts from; a spec adds its own through `env`. */
const TEST_ENV: Env = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  PORT: '0',
  SESSION_SECRET: 'test-session-secret-test-session-secret',
  // Specs log in many times from one address; the abuse spec turns these on with small limits.
  THROTTLE_AUTH_LIMIT: '0',
  LOGIN_MAX_FAILURES: '1000',
  LOGIN_ACCOUNT_MAX_FAILURES: '1000',
  RECOVERY_MAX_PER_EMAIL: '1000',
  RECOVERY_MAX_PER_IP: '0',
};

/**
 * Boots the real app in-process, through the same `setupApp` as `main.ts`, on a database of
 * its own (see `createTestDatabase`); `logger` replaces the one `LOG_LEVEL` would make.
 */
export async function createTestApp(
  options: { env?: Env; db?: TestDatabase; imports?: ModuleMetadata['imports']; logger?: Logger } = {},
): Promise<TestApp> {
  // A shared `db` outlives this app (restart tests); otherwise the app's database goes with it.
  const db = options.db ?? (await createTestDatabase());
  const env: Env = {
    ...TEST_ENV,
    DATABASE_URL: db.url ?? '',
    DATA_DIR: db.dataDir,
    REDIS_URL: process.env.REDIS_URL ?? '',
    ...options.env,
  };
  const builder = Test.createTestingModule({ imports: [await AppModule.forRoot(env), ...(options.imports ?? [])] });
  if (db.embedded) builder.overrideProvider(EMBEDDED_DATABASE).useValue(db.embedded);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false });
  await setupApp(app, options.logger);
  await app.init();
  let closed = false;
  return {
    app,
    http: app.getHttpServer() as App,
    db,
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
      if (!options.db) await db.dispose();
    },
  };
}
