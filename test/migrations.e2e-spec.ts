import { describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { migrations } from '../src/database/migrations/index.js';
import { createTestApp } from './support/test-app.js';
import { createTestDatabase } from './support/test-database.js';

/** PostgreSQL pass only (see jest.config.mjs): the embedded database serves one process. */
describe('instances started together on an empty database', () => {
  it.each([1, 2, 3])('all start and apply each migration exactly once (round %i)', async () => {
    const db = await createTestDatabase();
    try {
      const started = await Promise.allSettled([1, 2, 3].map(() => createTestApp({ db })));
      const apps = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      try {
        expect(started.filter((result) => result.status === 'rejected')).toEqual([]);
        const rows: Array<{ name: string; count: string }> = await apps[0]!.app
          .get(DataSource)
          .query('SELECT name, count(*) FROM migrations GROUP BY name');
        // Sorted here, not by the server's collation.
        const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : 1);
        expect(rows.sort(byName)).toEqual(
          migrations.map((migration) => ({ name: migration.name, count: '1' })).sort(byName),
        );
      } finally {
        await Promise.all(apps.map((t) => t.close()));
      }
    } finally {
      await db.dispose();
    }
  });
});
