// Runs once before the e2e suite. Loaded by Jest through its CommonJS path, so it is plain
// JavaScript that registers an ESM TypeScript loader before importing the project's sources.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/** A migrated embedded database, dumped once and cached on disk per migrations + PGlite version. */
async function pgliteTemplate() {
  const migrationsDir = join(root, 'src', 'database', 'migrations');
  const hash = createHash('sha256');
  for (const file of readdirSync(migrationsDir).sort())
    hash.update(file).update(readFileSync(join(migrationsDir, file)));
  hash.update(
    JSON.parse(readFileSync(join(root, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8')).version,
  );
  const cacheDir = join(root, 'node_modules', '.cache', 'nest-dual-auth');
  const file = join(cacheDir, `pglite-template-${hash.digest('hex').slice(0, 16)}.tar.gz`);
  if (existsSync(file)) return file;

  await import('@swc-node/register/esm-register');
  const { PGlite } = await import('@electric-sql/pglite');
  const { DataSource } = await import('typeorm');
  const { dataSourceOptions } = await import('../../src/database/data-source-options.ts');
  const { EmbeddedDatabase } = await import('../../src/database/embedded-database.ts');
  const embedded = new EmbeddedDatabase(await PGlite.create());
  const dataSource = new DataSource(dataSourceOptions({ database: { url: undefined, poolSize: 1 } }, embedded));
  await dataSource.initialize(); // runs the migrations
  await dataSource.destroy();
  const dump = await embedded.pglite.dumpDataDir('gzip');
  await embedded.close();
  mkdirSync(cacheDir, { recursive: true });
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, file);
  return file;
}

export default async function globalSetup() {
  // One id per run: each e2e file makes its own database named after it, so parallel files and
  // parallel runs never share rows, and teardown finds every database this run made.
  process.env.TEST_RUN_ID = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  // Teardown fails the run if it finds a ./data this run made (see global-teardown).
  process.env.REPO_DATA_DIR_EXISTED = String(existsSync(join(root, 'data')));
  if (!process.env.DATABASE_URL) process.env.PGLITE_TEMPLATE = await pgliteTemplate();
}
