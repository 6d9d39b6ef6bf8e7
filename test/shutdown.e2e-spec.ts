import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../src/audit/audit.service.js';
import { createUser } from './support/kit.js';
import { createTestApp } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

describe('closing the app', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ persistent: true });
  });
  afterAll(async () => {
    await db.dispose();
  });

  it('writes the audit events still queued before the database closes', async () => {
    const first = await createTestApp({ db });
    const user = await createUser(first);
    const marker = randomUUID();
    first.app.get(AuditService).record({ type: 'role.changed', userId: user.id, details: { marker } });
    await first.close();

    const second = await createTestApp({ db });
    try {
      const rows: Array<{ count: string }> = await second.app
        .get(DataSource)
        .query(`SELECT count(*) FROM auth_events WHERE details->>'marker' = $1`, [marker]);
      expect(Number(rows[0]?.count)).toBe(1);
    } finally {
      await second.close();
    }
  }, 60_000);
});
