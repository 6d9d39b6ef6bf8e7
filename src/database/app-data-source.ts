import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { withoutStatementTimeouts } from './data-source-options.js';
import { DatabaseShutdown } from './database-shutdown.js';

/** Key of the PostgreSQL advisory lock that serialises migrations between instances. */
const MIGRATIONS_LOCK_KEY = 4_209_817_311;

/**
 * The app's DataSource: runs what is still registered on its DatabaseShutdown (pending audit
 * events, "last used" marks) before the pool ends, whoever ends it. DatabaseModule normally runs
 * those tasks earlier, while Redis is open too; a second run finds none left.
 */
export class AppDataSource extends DataSource {
  readonly shutdown = new DatabaseShutdown();

  override async destroy(): Promise<void> {
    await this.shutdown.run();
    await super.destroy();
  }
}

/**
 * Connects and applies pending migrations. On a PostgreSQL server they run first, on a
 * connection without the pool's statement bounds, under an advisory lock, so instances started together on an empty database migrate one at a time: TypeORM's own
 * `migrationsRun` races on creating its migrations table. The lock is held on a client of its
 * own, since the pool may have a single connection that the migrations need. The embedded
 * database serves one process (its folder lock) and needs none.
 */
export async function openDataSource(options: DataSourceOptions): Promise<AppDataSource> {
  const url = options.type === 'postgres' ? options.url : undefined;
  if (options.migrationsRun && url) await withAdvisoryLock(url, () => migrateUnbounded(options));
  const dataSource = new AppDataSource({ ...options, migrationsRun: false });
  await dataSource.initialize();
  try {
    if (options.migrationsRun && !url) await dataSource.runMigrations();
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

/** Migrations on a connection of their own, without the app pool's statement bounds. */
async function migrateUnbounded(options: DataSourceOptions): Promise<void> {
  const migrator = new DataSource({
    ...withoutStatementTimeouts(options),
    migrationsRun: false,
    poolSize: 1,
  } as DataSourceOptions);
  await migrator.initialize();
  try {
    await migrator.runMigrations();
  } finally {
    await migrator.destroy();
  }
}

async function withAdvisoryLock<T>(url: string, work: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATIONS_LOCK_KEY]);
    // The lock goes with the session: ending the client releases it even if work() throws.
    return await work();
  } finally {
    await client.end();
  }
}
