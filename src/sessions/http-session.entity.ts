import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Login } from './login.entity.js';

/**
 * A cookie session as express-session stores it, tied 1:1 to its login record. Keyed by the
 * SHA-256 of the session id, so a copy of this table holds no cookie anyone could replay.
 */
@Entity({ name: 'http_sessions' })
@Index('uq_http_sessions_login', ['loginId'], { unique: true })
export class HttpSession {
  @PrimaryColumn({ name: 'sid_hash', type: 'char', length: 64 })
  sidHash: string;

  @Column({ name: 'login_id', type: 'uuid' })
  loginId: string;

  @ManyToOne(() => Login, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'login_id', foreignKeyConstraintName: 'fk_http_sessions_login' })
  login?: Relation<Login>;

  /** The session as express-session serialises it: ids and the CSRF token, never a user object. */
  @Column({ type: 'jsonb' })
  data: Record<string, unknown>;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
