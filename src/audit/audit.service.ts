import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHmac } from 'node:crypto';
import { Between, LessThanOrEqual, MoreThanOrEqual, Repository, type FindOptionsWhere } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { serviceSecret } from '../common/secret-file.js';
import { DatabaseShutdown } from '../database/database-shutdown.js';
import { normalizeEmail } from '../users/email.js';
import { AuditEvent, type AuditEventType, type AuditMode } from './audit-event.entity.js';

export interface AuditEntry {
  type: AuditEventType;
  userId?: string | null;
  /** For attempts on unknown accounts; stored as a keyed hash, never in clear. */
  email?: string;
  mode?: AuditMode | null;
  ip?: string | undefined;
  userAgent?: string | undefined;
  loginId?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditQuery {
  userId?: string;
  type?: AuditEventType;
  from?: Date;
  to?: Date;
  skip: number;
  take: number;
}

const FLUSH_INTERVAL_MS = 200;
const MAX_QUEUE = 10_000;

/**
 * The audit trail: the only code that touches auth_events. Events are queued and written in
 * batches off the request path; a failed write is logged and retried once with the next batch.
 */
@Injectable()
export class AuditService implements OnModuleInit {
  private readonly logger = new Logger(AuditService.name);
  private queue: Array<{ event: QueryDeepPartialEntity<AuditEvent>; retried: boolean }> = [];
  private flushing?: Promise<void>;
  /** Entries still waiting for a lookup (see recordWhenReady). */
  private readonly pending = new Set<Promise<void>>();
  private readonly emailKey: string;

  constructor(
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    @Inject(ConfigService) config: AppConfigService,
    private readonly shutdown: DatabaseShutdown,
  ) {
    // Keyed with the service secret, so a copy of the table does not let anyone confirm guesses
    // of who tried to log in.
    const secret = serviceSecret(config.get('session.secret', { infer: true }), config.get('app.dataDir', { infer: true }));
    this.emailKey = `${secret}:audit-email`;
  }

  onModuleInit(): void {
    // Also once after the last request has drained, before the database closes.
    this.shutdown.repeatUntilClose(FLUSH_INTERVAL_MS, () => this.flush());
  }

  record(entry: AuditEntry): void {
    if (this.queue.length >= MAX_QUEUE) this.queue.shift();
    const event = {
      type: entry.type,
      occurredAt: new Date(),
      userId: entry.userId ?? null,
      emailHash: entry.email ? createHmac('sha256', this.emailKey).update(normalizeEmail(entry.email)).digest('hex') : null,
      mode: entry.mode ?? null,
      ip: entry.ip?.slice(0, 64) ?? null,
      userAgent: entry.userAgent?.slice(0, 512) ?? null,
      loginId: entry.loginId ?? null,
      details: (entry.details ?? null) as QueryDeepPartialEntity<AuditEvent>['details'],
    };
    this.queue.push({ event, retried: false });
  }

  /**
   * Records an entry that needs a lookup first (the user behind an email), without making the
   * caller wait for it: the lookup stays off the response path. flush() waits for it.
   */
  recordWhenReady(entry: Promise<AuditEntry>): void {
    const settled: Promise<void> = entry
      .then((ready) => this.record(ready))
      .catch((error: unknown) => this.logger.error(`Audit event lost, its lookup failed: ${(error as Error).message}`))
      .finally(() => this.pending.delete(settled));
    this.pending.add(settled);
  }

  /** Writes what is queued; awaited by tests and at shutdown. */
  async flush(): Promise<void> {
    await Promise.all(this.pending);
    while (this.flushing) await this.flushing;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.flushing = this.events
      .insert(batch.map((item) => item.event))
      .then(() => undefined)
      .catch((error: unknown) => {
        // Kept for one more try with the next batch (a database blip), then dropped.
        const retry = batch.filter((item) => !item.retried).map((item) => ({ ...item, retried: true }));
        this.logger.error(`Audit write failed; ${retry.length} of ${batch.length} events kept for a retry: ${(error as Error).message}`);
        this.queue.unshift(...retry);
      })
      .finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  find(query: AuditQuery): Promise<[AuditEvent[], number]> {
    const where: FindOptionsWhere<AuditEvent> = {};
    if (query.userId) where.userId = query.userId;
    if (query.type) where.type = query.type;
    if (query.from && query.to) where.occurredAt = Between(query.from, query.to);
    else if (query.from) where.occurredAt = MoreThanOrEqual(query.from);
    else if (query.to) where.occurredAt = LessThanOrEqual(query.to);
    return this.events.findAndCount({ where, order: { occurredAt: 'DESC', id: 'DESC' }, skip: query.skip, take: query.take });
  }

  /** Deletes events older than `before`, at most `batch` of them; returns how many. */
  async purgeOlderThan(before: Date, batch: number): Promise<number> {
    const result = await this.events.query(
      `DELETE FROM auth_events WHERE id IN (
         SELECT id FROM auth_events WHERE occurred_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [before, batch],
    );
    return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
  }
}

