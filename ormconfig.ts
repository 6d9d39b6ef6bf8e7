// TypeORM CLI entry: `npm run migration:generate -- src/database/migrations/<name>`,
// `npm run migration:run`, `npm run migration:revert`. run and revert use the app's configuration:
// DATABASE_URL, or the embedded database in DATA_DIR (stop the service first: the folder is
// locked while it runs). generate compares the entities with a throw-away embedded database
// migrated by every registered migration, so it writes only what those lack, whatever state
// ./data or DATABASE_URL is in (an empty ./data on a fresh clone would give the whole schema).
import 'reflect-metadata';
import { PGlite } from '@electric-sql/pglite';
import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config.js';
import { dataSourceOptions, withoutStatementTimeouts } from './src/database/data-source-options.js';
import { EmbeddedDatabase } from './src/database/embedded-database.js';
import { entities } from './src/entities.js';

if (existsSync('.env')) process.loadEnvFile('.env');
const config = loadConfig(process.env);
const generating = process.argv.includes('migration:generate');

async function migratedScratchDatabase(): Promise<EmbeddedDatabase> {
  const embedded = new EmbeddedDatabase(await PGlite.create());
  const migrator = new DataSource(dataSourceOptions({ database: { url: undefined, poolSize: 1 } }, embedded));
  await migrator.initialize(); // migrationsRun: applies every registered migration
  await migrator.destroy(); // ends the pool only; PGlite stays open for the CLI
  return embedded;
}

const embedded = generating
  ? await migratedScratchDatabase()
  : config.database.url
    ? null
    : await EmbeddedDatabase.open(config.app.dataDir);

/** Closes the embedded database (and its folder lock) when the CLI is done. */
class CliDataSource extends DataSource {
  override async destroy(): Promise<void> {
    try {
      await super.destroy();
    } finally {
      await embedded?.close();
    }
  }
}

export default new CliDataSource({
  ...withoutStatementTimeouts(
    dataSourceOptions(generating ? { database: { url: undefined, poolSize: 1 } } : config, embedded),
  ),
  // The CLI applies migrations itself; migration:generate compares the app's own entity list.
  migrationsRun: false,
  entities,
});
