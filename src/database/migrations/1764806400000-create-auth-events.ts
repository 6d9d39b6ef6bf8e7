import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAuthEvents1764806400000 implements MigrationInterface {
  name = 'CreateAuthEvents1764806400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE "auth_events" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "occurred_at" timestamptz NOT NULL DEFAULT now(),
        "type" varchar(32) NOT NULL,
        "user_id" uuid,
        "email_hash" char(64),
        "mode" varchar(16),
        "ip" varchar(64),
        "user_agent" varchar(512),
        "login_id" uuid,
        "details" jsonb,
        CONSTRAINT "pk_auth_events" PRIMARY KEY ("id")
      )`);
    await db.query(`CREATE INDEX "ix_auth_events_user_time" ON "auth_events" ("user_id", "occurred_at")`);
    await db.query(`CREATE INDEX "ix_auth_events_time" ON "auth_events" ("occurred_at")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "auth_events"`);
  }
}
