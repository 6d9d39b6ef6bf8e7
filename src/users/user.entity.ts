import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { ROLES, type Role } from '../auth-decorators/roles.js';

export { ROLES, type Role };

@Entity({ name: 'users' })
@Index('uq_users_email', ['email'], { unique: true })
// Emails are stored normalised; the check keeps the unique index case-insensitive.
@Check('ck_users_email_lower', `"email" = lower("email")`)
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Stored normalised (trimmed, NFC, lower case): unique case-insensitively. */
  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  name: string | null;

  /** argon2id PHC string. Never leaves this module: responses are built from `UserResponse`. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash: string;

  /**
   * Raised by every password change. A login is recorded only while the version it checked the
   * password against is still current, so a login racing a change cannot outlive it.
   */
  @Column({ name: 'credentials_version', type: 'integer', default: 0 })
  credentialsVersion: number;

  /** Set once the owner followed a verification (or password-reset) link mailed to `email`. */
  @Column({ name: 'email_verified', type: 'boolean', default: false })
  emailVerified: boolean;

  @Column({ type: 'text', array: true, default: () => `'{user}'` })
  roles: Role[];

  /** A confirmed TOTP second factor: password login then asks for a code. */
  @Column({ name: 'mfa_enabled', type: 'boolean', default: false })
  mfaEnabled: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
