import { Column, CreateDateColumn, Entity, JoinColumn, OneToOne, PrimaryColumn, type Relation } from 'typeorm';
import { User } from '../users/user.entity.js';

/**
 * A user's TOTP secret, encrypted (see SecretBox). Pending until a first code confirms it;
 * `lastStep` is the last time step accepted, so no code is accepted twice (RFC 6238 §5.2).
 */
@Entity({ name: 'mfa_secrets' })
export class MfaSecret {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @OneToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_mfa_secrets_user' })
  user?: Relation<User>;

  @Column({ name: 'secret_ciphertext', type: 'varchar', length: 255 })
  secretCiphertext: string;

  @Column({ name: 'confirmed_at', type: 'timestamptz', nullable: true })
  confirmedAt: Date | null;

  /** bigint comes back from the driver as a string. */
  @Column({ name: 'last_step', type: 'bigint', nullable: true })
  lastStep: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
