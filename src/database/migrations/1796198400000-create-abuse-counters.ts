import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAbuseCounters1796198400000 implements MigrationInterface {
  name = 'CreateAbuseCounters1796198400000';

  async up(db: QueryRunner): Promise<void> {
    // Rate-limit and lockout windows when there is no Redis: shared by every instance, kept across restarts.
    await db.query(`
      CREATE TABLE "abuse_counters" (
        "key" text NOT NULL,
        "count" integer NOT NULL,
        "expires_at" timestamptz NOT NULL,
        CONSTRAINT "pk_abuse_counters" PRIMARY KEY ("key")
      )`);
    await db.query(`CREATE INDEX "ix_abuse_counters_expires_at" ON "abuse_counters" ("expires_at")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "abuse_counters"`);
  }
}
