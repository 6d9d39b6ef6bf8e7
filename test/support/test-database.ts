import { PGlite } from '@electric-sql/pglite';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { EmbeddedDatabase } from '../../src/database/embedded-database.js';

/** A database of one's own for one test app: dropped (or closed) by `dispose`. */
export interface TestDatabase {
  /** Set when running on PostgreSQL: what the app gets as DATABASE_URL. */
  url?: string;
  /** Set when running embedded: the migrated in-memory database the app runs on. */
  embedded?: EmbeddedDatabase;
  /**
   * The apps' DATA_DIR, a temporary folder (generated keys and secrets never go to the
   * repository's ./data). For a persistent embedded database, also the database each app opens
   * (and locks) itself.
   */
  dataDir: string;
  dispose(): Promise<void>;
}

let template: Blob | undefined;

/**
 * With DATABASE_URL set, a fresh database on that server (the app migrates it at boot);
 * otherwise an in-memory PGlite loaded from the migrated template made by global-setup.
 */
export async function createTestDatabase(options: { persistent?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  const dataDir = mkdtempSync(join(tmpdir(), 'nda-e2e-'));
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (serverUrl) {
    const name = `e2e_${process.env.TEST_RUN_ID ?? 'local'}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      dataDir,
      dispose: async () => {
        removeDataDir();
        const client = new pg.Client({ connectionString: serverUrl });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await client.end();
      },
    };
  }
  if (options.persistent) {
    // Outlives the apps that use it, so a test can stop an app and start another on the same data.
    return { dataDir, dispose: async () => removeDataDir() };
  }
  const templateFile = process.env.PGLITE_TEMPLATE;
  if (!templateFile)
    throw new Error('PGLITE_TEMPLATE is unset: run the e2e tests through jest (global-setup makes it)');
  template ??= new Blob([readFileSync(templateFile)]);
  const embedded = new EmbeddedDatabase(await PGlite.create({ loadDataDir: template }));
  return {
    embedded,
    dataDir,
    dispose: async () => {
      removeDataDir();
      await embedded.close();
    },
  };
}
