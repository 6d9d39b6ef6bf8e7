import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Repository } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { DatabaseShutdown } from '../database/database-shutdown.js';
import type { AuditEvent } from './audit-event.entity.js';
import { AUDIT_QUEUE_LIMIT, AuditService } from './audit.service.js';

/** A repository whose inserts fail `failures` times (a database blip), then succeed. */
function flakyRepository(failures: number) {
  const written: number[] = [];
  let left = failures;
  const repository = {
    insert: async (rows: Array<{ details: { n: number } }>) => {
      if (left-- > 0) throw new Error('Connection terminated unexpectedly');
      written.push(...rows.map((row) => row.details.n));
    },
  };
  return { repository: repository as unknown as Repository<AuditEvent>, written };
}

function auditService(repository: Repository<AuditEvent>, shutdown = new DatabaseShutdown()) {
  const config = new ConfigService<AppConfig, true>({
    session: { secret: 'unit-test-secret' },
    app: { dataDir: '/nonexistent' },
  } as AppConfig);
  return new AuditService(repository, config, shutdown);
}

const record = (audit: AuditService, n: number) =>
  audit.record({ type: 'login.succeeded', userId: null, details: { n } });

describe('AuditService', () => {
  const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  afterEach(() => {
    errors.mockClear();
  });

  it('keeps failed batches and writes every event once, in order, when the database is back', async () => {
    const { repository, written } = flakyRepository(3);
    const audit = auditService(repository);
    for (const n of [1, 2, 3]) {
      record(audit, n);
      await audit.flush();
    }
    expect(written).toEqual([]);
    record(audit, 4);
    await audit.flush();
    await audit.flush();
    expect(written).toEqual([1, 2, 3, 4]);
  });

  it('past the bound drops the oldest events and logs how many', async () => {
    const { repository, written } = flakyRepository(1);
    const audit = auditService(repository);
    for (let n = 0; n < AUDIT_QUEUE_LIMIT + 5; n++) record(audit, n);
    await audit.flush();
    expect(errors.mock.calls.map(([message]) => message)).toContainEqual(
      'Audit queue full: dropped the 5 oldest events',
    );
    await audit.flush();
    expect(written).toHaveLength(AUDIT_QUEUE_LIMIT);
    expect(written[0]).toBe(5);
    expect(written.at(-1)).toBe(AUDIT_QUEUE_LIMIT + 4);
  });

  it('writes what is left before the database closes, without waiting out the retry pause', async () => {
    const { repository, written } = flakyRepository(1);
    const shutdown = new DatabaseShutdown();
    const audit = auditService(repository, shutdown);
    audit.onModuleInit();
    record(audit, 1);
    await audit.flush();
    expect(written).toEqual([]);
    await shutdown.run();
    expect(written).toEqual([1]);
  });
});
