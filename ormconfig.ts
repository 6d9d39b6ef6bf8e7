// TypeORM CLI entry: `npm run migration:generate -- src/database/migrations/<name>`,
// `npm run migration:run`, `npm run migration:revert`. Same configuration as the app: DATABASE_URL,
// or the embedded database in DATA_DIR (stop the service first: the folder is locked while it runs).
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config.js';
import { dataSourceOptions } from './src/database/data-source-options.js';
import { EmbeddedDatabase } from './src/database/embedded-database.js';
import { entities } from './src/entities.js';

if (existsSync('.env')) process.loadEnvFile('.env');
const config = loadConfig(process.env);
const embedded = config.database.url ? null : await EmbeddedDatabase.open(config.app.dataDir);

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
  ...dataSourceOptions(config, embedded),
  // The CLI applies migrations itself; migration:generate compares the app's own entity list.
  migrationsRun: false,
  entities,
});
