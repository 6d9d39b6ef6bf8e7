import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One fixed-window counter when there is no Redis; only DatabaseCounterStore reads or writes it. */
@Entity({ name: 'abuse_counters' })
@Index('ix_abuse_counters_expires_at', ['expiresAt'])
export class AbuseCounter {
  @PrimaryColumn({ type: 'text' })
  key: string;

  @Column({ type: 'integer' })
  count: number;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
