import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRefreshTokens1764720000000 implements MigrationInterface {
  name = 'CreateRefreshTokens1764720000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE "refresh_tokens" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "login_id" uuid NOT NULL,
        "token_hash" char(64) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        "used_at" timestamptz,
        CONSTRAINT "pk_refresh_tokens" PRIMARY KEY ("id"),
        CONSTRAINT "fk_refresh_tokens_login" FOREIGN KEY ("login_id") REFERENCES "logins" ("id") ON DELETE CASCADE
      )`);
    await db.query(`CREATE UNIQUE INDEX "uq_refresh_tokens_hash" ON "refresh_tokens" ("token_hash")`);
    await db.query(`CREATE INDEX "ix_refresh_tokens_login" ON "refresh_tokens" ("login_id")`);
    // The revocation list loads recently revoked logins at start-up.
    await db.query(`CREATE INDEX "ix_logins_revoked_at" ON "logins" ("revoked_at") WHERE "revoked_at" IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX "ix_logins_revoked_at"`);
    await db.query(`DROP TABLE "refresh_tokens"`);
  }
}
