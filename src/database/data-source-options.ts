import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import type { EmbeddedDatabase } from './embedded-database.js';
import { migrations } from './migrations/index.js';
import { ConstraintNamingStrategy } from './naming-strategy.js';

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
    connectTimeoutMS: 5000,
    // A dead server must give a quick 503, not a request hanging on the pool.
    extra: { connectionTimeoutMillis: 5000, query_timeout: 30_000 },
  };
}
