import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRecoveryTokens1796198437916 implements MigrationInterface {
  name = 'CreateRecoveryTokens1796198437916';

  async up(db: QueryRunner): Promise<void> {
    // One-time links for password reset and email verification, stored as hashes only.
    await db.query(`
      CREATE TABLE "recovery_tokens" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "user_id" uuid NOT NULL,
        "purpose" varchar(32) NOT NULL,
        "token_hash" char(64) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        "used_at" timestamptz,
        CONSTRAINT "pk_recovery_tokens" PRIMARY KEY ("id"),
        CONSTRAINT "ck_recovery_tokens_purpose" CHECK ("purpose" IN ('password_reset', 'email_verification')),
        CONSTRAINT "fk_recovery_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
      )`);
    await db.query(`CREATE UNIQUE INDEX "uq_recovery_tokens_hash" ON "recovery_tokens" ("token_hash")`);
    await db.query(`CREATE INDEX "ix_recovery_tokens_user" ON "recovery_tokens" ("user_id")`);
    await db.query(`CREATE INDEX "ix_recovery_tokens_expires_at" ON "recovery_tokens" ("expires_at")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "recovery_tokens"`);
  }
}
