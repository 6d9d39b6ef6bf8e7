import { describe, expect, it } from '@jest/globals';
import type { Repository } from 'typeorm';
import type { AppConfigService } from '../config/config.module.js';
import { DatabaseShutdown } from '../database/database-shutdown.js';
import type { AuditEvent } from './audit-event.entity.js';
import { AuditService, type AuditEntry } from './audit.service.js';

/** An audit service whose inserts land in `written`. */
function auditService() {
  const written: unknown[] = [];
  const events = {
    insert: async (rows: unknown[]) => void written.push(...rows),
  } as unknown as Repository<AuditEvent>;
  const config = {
    get: (key: string) => (key === 'session.secret' ? 's'.repeat(32) : '/nonexistent'),
  } as unknown as AppConfigService;
  return { audit: new AuditService(events, config, new DatabaseShutdown()), written };
}

describe('AuditService.recordWhenReady', () => {
  it('does not hold the caller, and flush() waits for the lookup before writing', async () => {
    const { audit, written } = auditService();
    let resolve!: (entry: AuditEntry) => void;
    audit.recordWhenReady(new Promise<AuditEntry>((done) => (resolve = done)));
    const flushed = audit.flush();
    await new Promise((done) => setImmediate(done));
    expect(written).toEqual([]);
    resolve({ type: 'login.failed', userId: '00000000-0000-4000-8000-000000000001' });
    await flushed;
    expect(written).toEqual([
      expect.objectContaining({
        type: 'login.failed',
        userId: '00000000-0000-4000-8000-000000000001',
        emailHash: null,
      }),
    ]);
  });

  it('a failed lookup loses that event only', async () => {
    const { audit, written } = auditService();
    audit.recordWhenReady(Promise.reject(new Error('database away')));
    audit.record({ type: 'login.failed', email: 'ada@example.com' });
    await audit.flush();
    expect(written).toEqual([
      expect.objectContaining({
        type: 'login.failed',
        userId: null,
        emailHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      }),
    ]);
  });
});
