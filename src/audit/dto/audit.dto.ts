import { Type } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsUUID, MaxDate, MinDate } from 'class-validator';

// Dates PostgreSQL can store (a JavaScript date may be far outside them).
const EARLIEST = new Date('1970-01-01T00:00:00Z');
const LATEST = new Date('9999-12-31T23:59:59Z');
import { PaginationQuery } from '../../common/pagination.js';
import { AUDIT_EVENT_TYPES, type AuditEvent, type AuditEventType, type AuditMode } from '../audit-event.entity.js';

export class AuditQueryDto extends PaginationQuery {
  /** @example "3f0c6a52-8d1e-4a7b-9a43-6f0f3f7d9b11" */
  @IsOptional()
  @IsUUID()
  userId?: string;

  /** @example "login.failed" */
  @IsOptional()
  @IsIn(AUDIT_EVENT_TYPES)
  type?: AuditEventType;

  /** ISO 8601, inclusive. @example "2026-11-01T00:00:00Z" */
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  @MinDate(EARLIEST)
  @MaxDate(LATEST)
  from?: Date;

  /** ISO 8601, inclusive. @example "2026-11-30T23:59:59Z" */
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  @MinDate(EARLIEST)
  @MaxDate(LATEST)
  to?: Date;
}

export class AuditEventResponse {
  /** @example "0e6b5c2a-9d41-4f37-8a1e-3b2c1d0f9e8a" */
  id: string;
  /** @example "2026-11-30T09:15:00.000Z" */
  occurredAt: Date;
  /** @example "login.succeeded" */
  type: AuditEventType;
  /** @example "3f0c6a52-8d1e-4a7b-9a43-6f0f3f7d9b11" */
  userId: string | null;
  /** @example "session" */
  mode: AuditMode | null;
  /** @example "203.0.113.7" */
  ip: string | null;
  /** @example "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0" */
  userAgent: string | null;
  /** @example "7d1f3a90-2b4c-4e6d-8f01-a2b3c4d5e6f7" */
  loginId: string | null;
  /** Small facts about the event, such as the new roles of role.changed. @example {"roles":["user","admin"]} */
  details: Record<string, unknown> | null;

  static from(event: AuditEvent): AuditEventResponse {
    const response = new AuditEventResponse();
    response.id = event.id;
    response.occurredAt = event.occurredAt;
    response.type = event.type;
    response.userId = event.userId;
    response.mode = event.mode;
    response.ip = event.ip;
    response.userAgent = event.userAgent;
    response.loginId = event.loginId;
    response.details = event.details;
    return response;
  }
}
