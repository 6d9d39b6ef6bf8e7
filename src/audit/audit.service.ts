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
const RETRY_MAX_DELAY_MS = 30_000;
const MAX_BATCH = 1000;
/** Events kept in memory while the database is unreachable; past it, the oldest go first. */
export const AUDIT_QUEUE_LIMIT = 10_000;

/**
 * The audit trail: the only code that touches auth_events. Events are queued and written in
 * batches off the request path. A failed batch stays at the head of the queue and is retried,
 * with a growing pause, until the database answers; only past AUDIT_QUEUE_LIMIT are events lost.
 */
@Injectable()
export class AuditService implements OnModuleInit {
  private readonly logger = new Logger(AuditService.name);
  private queue: Array<QueryDeepPartialEntity<AuditEvent>> = [];
  private flushing?: Promise<void>;
  /** Entries still waiting for a lookup (see recordWhenReady). */
  private readonly pending = new Set<Promise<void>>();
  private failures = 0;
  private retryAt = 0;
  private dropped = 0;
  private readonly emailKey: string;

  constructor(
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    @Inject(ConfigService) config: AppConfigService,
    private readonly shutdown: DatabaseShutdown,
  ) {
    // Keyed with the service secret, so a copy of the table does not let anyone confirm guesses
    // of who tried to log in.
    const secret = serviceSecret(
      config.get('session.secret', { infer: true }),
      config.get('app.dataDir', { infer: true }),
    );
    this.emailKey = `${secret}:audit-email`;
  }

  onModuleInit(): void {
    // The timer waits out the retry pause; the last flush, before the database closes, does not.
    this.shutdown.repeatUntilClose(
      FLUSH_INTERVAL_MS,
      () => (Date.now() >= this.retryAt ? this.flush() : Promise.resolve()),
      async () => {
        await this.flush();
        if (this.queue.length > 0)
          this.logger.error(`Audit write failed at shutdown: ${this.queue.length} events lost`);
      },
    );
  }

  record(entry: AuditEntry): void {
    this.queue.push({
      type: entry.type,
      occurredAt: new Date(),
      userId: entry.userId ?? null,
      emailHash: entry.email
        ? createHmac('sha256', this.emailKey).update(normalizeEmail(entry.email)).digest('hex')
        : null,
      mode: entry.mode ?? null,
      ip: entry.ip?.slice(0, 64) ?? null,
      userAgent: entry.userAgent?.slice(0, 512) ?? null,
      loginId: entry.loginId ?? null,
      details: (entry.details ?? null) as QueryDeepPartialEntity<AuditEvent>['details'],
    });
    this.enforceLimit();
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

  /** Writes what is queued; awaited by readers of the trail, by tests and at shutdown. */
  async flush(): Promise<void> {
    await Promise.all(this.pending);
    // One writer at a time keeps the events in order.
    while (this.flushing) await this.flushing;
    this.flushing = this.drain().finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  private async drain(): Promise<void> {
    this.reportDropped();
    while (this.queue.length > 0) {
      // PostgreSQL takes at most 65535 parameters per statement.
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        await this.events.insert(batch);
        this.failures = 0;
        this.retryAt = 0;
      } catch (error) {
        // Back at the head of the queue, in order, ahead of what was recorded meanwhile.
        this.queue = batch.concat(this.queue);
        this.failures++;
        const delay = Math.min(FLUSH_INTERVAL_MS * 2 ** this.failures, RETRY_MAX_DELAY_MS);
        this.retryAt = Date.now() + delay;
        this.logger.error(
          `Audit write failed; ${this.queue.length} events kept, next try in ${delay} ms: ${(error as Error).message}`,
        );
        this.enforceLimit();
        this.reportDropped();
        return;
      }
    }
  }

  private enforceLimit(): void {
    const excess = this.queue.length - AUDIT_QUEUE_LIMIT;
    if (excess <= 0) return;
    this.queue.splice(0, excess);
    this.dropped += excess;
  }

  /** One line per flush attempt rather than one per event while the database is away. */
  private reportDropped(): void {
    if (this.dropped === 0) return;
    this.logger.error(`Audit queue full: dropped the ${this.dropped} oldest events`);
    this.dropped = 0;
  }

  find(query: AuditQuery): Promise<[AuditEvent[], number]> {
    const where: FindOptionsWhere<AuditEvent> = {};
    if (query.userId) where.userId = query.userId;
    if (query.type) where.type = query.type;
    if (query.from && query.to) where.occurredAt = Between(query.from, query.to);
    else if (query.from) where.occurredAt = MoreThanOrEqual(query.from);
    else if (query.to) where.occurredAt = LessThanOrEqual(query.to);
    return this.events.findAndCount({
      where,
      order: { occurredAt: 'DESC', id: 'DESC' },
      skip: query.skip,
      take: query.take,
    });
  }

  /** Deletes events older than `before`, at most `batch` of them; returns how many. */
  async purgeOlderThan(before: Date, batch: number): Promise<number> {
    const result: unknown = await this.events.query(
      `DELETE FROM auth_events WHERE id IN (
         SELECT id FROM auth_events WHERE occurred_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [before, batch],
    );
    return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
  }
}
