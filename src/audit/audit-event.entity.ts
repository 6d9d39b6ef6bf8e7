import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const AUDIT_EVENT_TYPES = [
  'login.succeeded',
  'login.failed',
  'login.locked',
  'token.refreshed',
  'token.reuse_detected',
  'login.revoked',
  'password.changed',
  'user.deleted',
  'role.changed',
  'password.reset_requested',
  'password.reset',
  'email.verified',
  'mfa.enabled',
  'mfa.disabled',
  'mfa.failed',
  'reauthenticated',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];
export type AuditMode = 'session' | 'token';

/**
 * One authentication event. Never a secret: no password, token, cookie or hash of one. A failed
 * login for an unknown email keeps a keyed hash of the email, enough to group attempts.
 * No foreign key: the trail outlives deleted users until AUDIT_RETENTION passes.
 */
@Entity({ name: 'auth_events' })
@Index('ix_auth_events_user_time', ['userId', 'occurredAt'])
@Index('ix_auth_events_time', ['occurredAt'])
export class AuditEvent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @CreateDateColumn({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ type: 'varchar', length: 32 })
  type: AuditEventType;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ name: 'email_hash', type: 'char', length: 64, nullable: true })
  emailHash: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  mode: AuditMode | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @Column({ name: 'login_id', type: 'uuid', nullable: true })
  loginId: string | null;

  /** Small, non-secret facts about the event (e.g. the new roles). */
  @Column({ type: 'jsonb', nullable: true })
  details: Record<string, unknown> | null;
}
