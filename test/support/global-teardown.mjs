// Drops any database this run made and a crashed test file left behind.
import pg from 'pg';

export default async function globalTeardown() {
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
