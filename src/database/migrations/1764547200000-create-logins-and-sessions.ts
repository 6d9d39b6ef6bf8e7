import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateLoginsAndSessions1764547200000 implements MigrationInterface {
  name = 'CreateLoginsAndSessions1764547200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE "logins" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "user_id" uuid NOT NULL,
        "kind" varchar(16) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "last_used_at" timestamptz NOT NULL,
        "expires_at" timestamptz NOT NULL,
        "absolute_expires_at" timestamptz NOT NULL,
        "user_agent" varchar(512),
        "ip" varchar(64),
        "revoked_at" timestamptz,
        CONSTRAINT "pk_logins" PRIMARY KEY ("id"),
        CONSTRAINT "fk_logins_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
      )`);
    await db.query(`CREATE INDEX "ix_logins_user" ON "logins" ("user_id")`);
    await db.query(`
      CREATE TABLE "http_sessions" (
        "sid_hash" char(64) NOT NULL,
        "login_id" uuid NOT NULL,
        "data" jsonb NOT NULL,
        "expires_at" timestamptz NOT NULL,
        CONSTRAINT "pk_http_sessions" PRIMARY KEY ("sid_hash"),
        CONSTRAINT "fk_http_sessions_login" FOREIGN KEY ("login_id") REFERENCES "logins" ("id") ON DELETE CASCADE
      )`);
    await db.query(`CREATE UNIQUE INDEX "uq_http_sessions_login" ON "http_sessions" ("login_id")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "http_sessions"`);
    await db.query(`DROP TABLE "logins"`);
  }
}
