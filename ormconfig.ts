// TypeORM CLI entry: `npm run migration:generate -- src/database/migrations/<name>`,
// `npm run migration:run`, `npm run migration:revert`. Same configuration as the app: DATABASE_URL,
// or the embedded database in DATA_DIR (stop the service first: the folder is locked while it runs).
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config.js';
import { dataSourceOptions } from './src/database/data-source-options.js';
import { EmbeddedDatabase } from './src/database/embedded-database.js';
import { AuditEvent } from './src/audit/audit-event.entity.js';
import { Note } from './src/notes/note.entity.js';
import { HttpSession } from './src/sessions/http-session.entity.js';
import { Login } from './src/sessions/login.entity.js';
import { RefreshToken } from './src/tokens/refresh-token.entity.js';
import { User } from './src/users/user.entity.js';

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
  // The CLI applies migrations itself; every entity is listed for migration:generate.
  migrationsRun: false,
  entities: [User, Login, HttpSession, Note, RefreshToken, AuditEvent],
});
