import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import type { EmbeddedDatabase } from './embedded-database.js';
import { migrations } from './migrations/index.js';
import { ConstraintNamingStrategy } from './naming-strategy.js';
import { PgClient } from './pg-client.js';

const CONNECT_TIMEOUT_MS = 2000;
/** Every statement of a request is a short one; migrations run without this bound (see openDataSource). */
export const STATEMENT_TIMEOUT_MS = 3000;

/**
 * One set of TypeORM options for the app and the migration CLI: PostgreSQL from DATABASE_URL,
 * or the embedded PostgreSQL. Schema changes are migrations only (`synchronize: false`).
 */
export function dataSourceOptions(
  config: Pick<AppConfig, 'database'>,
  embedded: EmbeddedDatabase | null,
): DataSourceOptions {
  const common = {
    type: 'postgres',
    synchronize: false,
    migrations,
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    namingStrategy: new ConstraintNamingStrategy(),
    installExtensions: false,
    // gen_random_uuid() is built into PostgreSQL 13+; no extension needed on either database.
    uuidExtension: 'pgcrypto',
    useUTC: true,
  } as const;

  if (embedded) {
    // PGlite is one single-user backend: exactly one connection, through its own adapter.
    const pg = createPgConfig(embedded.pglite);
    return {
      ...common,
      host: pg.host,
      port: pg.port,
      username: pg.user,
      password: pg.password,
      database: pg.database,
      poolSize: 1,
      extra: { connection: pg.connection, max: 1 },
    };
  }
  if (!config.database.url) throw new Error('DATABASE_URL is unset and no embedded database was opened');
  return {
    ...common,
    url: config.database.url,
    poolSize: config.database.poolSize,
    connectTimeoutMS: CONNECT_TIMEOUT_MS,
    extra: {
      // A server that is gone, or silent behind a partition, gives a 503 within 5 s, not a
      // request hanging on the pool: waiting for a connection (or making one) is bounded, and so
      // is every statement, by the server (statement_timeout, which leaves the connection usable)
      // and, a little later, by the client for a server that does not answer at all.
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      query_timeout: STATEMENT_TIMEOUT_MS + 500,
      Client: PgClient,
      // Idle connections to a vanished server are found by the OS, not by the next request.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    },
  };
}

/**
 * The same options without the per-statement bounds, for migrations (the app's at start-up, the
 * CLI's): one may rewrite a large table for minutes.
 */
export function withoutStatementTimeouts(options: DataSourceOptions): DataSourceOptions {
  if (options.type !== 'postgres' || !options.url) return options;
  return {
    ...options,
    extra: { ...(options.extra as Record<string, unknown>), statement_timeout: undefined, query_timeout: undefined },
  };
}
