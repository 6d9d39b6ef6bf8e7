import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { User } from '../users/user.entity.js';

export const CHALLENGE_KINDS = ['session', 'token'] as const;
export type ChallengeKind = (typeof CHALLENGE_KINDS)[number];

/**
 * A password login waiting for its second factor. In the database, not in memory, so the code
 * may be sent to any instance. Single use: `usedAt` is set by the verification that completes it.
 */
@Entity({ name: 'mfa_challenges' })
@Index('ix_mfa_challenges_user', ['userId'])
@Index('ix_mfa_challenges_expires_at', ['expiresAt'])
export class MfaChallenge {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_mfa_challenges_user' })
  user?: Relation<User>;

  /** Which login it completes: a cookie session or a token pair. */
  @Column({ type: 'varchar', length: 16 })
  kind: ChallengeKind;

  /** The password version checked; a password change meanwhile makes the completion fail. */
  @Column({ name: 'credentials_version', type: 'integer' })
  credentialsVersion: number;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;
}
