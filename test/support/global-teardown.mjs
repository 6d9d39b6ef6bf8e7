// Drops any database this run made and a crashed test file left behind, and fails the run if a
// test wrote into the repository's ./data (every test app and process has a DATA_DIR of its own).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

const repoDataDir = join(import.meta.dirname, '..', '..', 'data');

export default async function globalTeardown() {
  // The check below runs whether or not dropping failed, and its error is the one reported.
  const dropped = await dropDatabases().then(
    () => null,
    (error) => error,
  );
  if (process.env.REPO_DATA_DIR_EXISTED === 'false' && existsSync(repoDataDir)) {
    throw new Error(`The tests created ${repoDataDir}: a test app or process ran without a DATA_DIR of its own`);
  }
  if (dropped) throw dropped;
}

async function dropDatabases() {
  const url = process.env.DATABASE_URL;
  const runId = process.env.TEST_RUN_ID;
  if (!url || !runId) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`e2e_${runId}_%`]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
