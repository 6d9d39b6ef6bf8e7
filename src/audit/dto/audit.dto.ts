import { Type } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsUUID, MaxDate, MinDate } from 'class-validator';

// Dates PostgreSQL can store (a JavaScript date may be far outside them).
const EARLIEST = new Date('1970-01-01T00:00:00Z');
const LATEST = new Date('9999-12-31T23:59:59Z');
import { PaginationQuery } from '../../common/pagination.js';
import { AUDIT_EVENT_TYPES, type AuditEvent, type AuditEventType, type AuditMode } from '../audit-event.entity.js';

export class AuditQueryDto extends PaginationQuery {
  @IsOptional()
  @IsUUID()
  userId?: string;

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

  /** ISO 8601, inclusive. */
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  @MinDate(EARLIEST)
  @MaxDate(LATEST)
  to?: Date;
}

export class AuditEventResponse {
  id: string;
  occurredAt: Date;
  type: AuditEventType;
  userId: string | null;
  mode: AuditMode | null;
  ip: string | null;
  userAgent: string | null;
  loginId: string | null;
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
