import {
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

export const LOGIN_KINDS = ['session', 'token'] as const;
export type LoginKind = (typeof LOGIN_KINDS)[number];

/**
 * One successful login, whichever mechanism carries it: a cookie session *is* one of these, and
 * so is a refresh-token family. Listing and revoking devices works on these records.
 */
@Entity({ name: 'logins' })
@Index('ix_logins_user', ['userId'])
@Index('ix_logins_revoked_at', ['revokedAt'], { where: '"revoked_at" IS NOT NULL' })
export class Login {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_logins_user' })
  user?: Relation<User>;

  @Column({ type: 'varchar', length: 16 })
  kind: LoginKind;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz' })
  lastUsedAt: Date;

  /** When the login ends if unused: the idle timeout of a session, the refresh token's expiry. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  /** When the login ends whatever happens (SESSION_ABSOLUTE_TTL for sessions). */
  @Column({ name: 'absolute_expires_at', type: 'timestamptz' })
  absoluteExpiresAt: Date;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  /** When this login last proved the password (or a second factor): `@Fresh()` and `auth_time`. */
  @Column({ name: 'authenticated_at', type: 'timestamptz', default: () => 'now()' })
  authenticatedAt: Date;

  /** The last proof included a second factor (`amr` ["pwd","otp"]). */
  @Column({ type: 'boolean', default: false })
  mfa: boolean;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
