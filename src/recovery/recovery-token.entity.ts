import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { User } from '../users/user.entity.js';

export const RECOVERY_PURPOSES = ['password_reset', 'email_verification'] as const;
export type RecoveryPurpose = (typeof RECOVERY_PURPOSES)[number];

/**
 * A one-time token mailed as a link. Stored as its SHA-256 only (a copy of the table opens no
 * account); single use (`usedAt`) and expiring. Goes with the user (foreign key cascade).
 */
@Entity({ name: 'recovery_tokens' })
@Check('ck_recovery_tokens_purpose', `"purpose" IN ('password_reset', 'email_verification')`)
@Index('uq_recovery_tokens_hash', ['tokenHash'], { unique: true })
@Index('ix_recovery_tokens_user', ['userId'])
@Index('ix_recovery_tokens_expires_at', ['expiresAt'])
export class RecoveryToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_recovery_tokens_user' })
  user?: Relation<User>;

  @Column({ type: 'varchar', length: 32 })
  purpose: RecoveryPurpose;

  @Column({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;
}
