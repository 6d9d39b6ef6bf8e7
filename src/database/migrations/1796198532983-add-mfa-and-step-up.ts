import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddMfaAndStepUp1796198532983 implements MigrationInterface {
  name = 'AddMfaAndStepUp1796198532983';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "users" ADD "mfa_enabled" boolean NOT NULL DEFAULT false`);
    // The login's last proof of the password (or a second factor): step-up and `auth_time`.
    // Existing logins proved it when they were created.
    await db.query(`ALTER TABLE "logins" ADD "authenticated_at" timestamptz`);
    await db.query(`UPDATE "logins" SET "authenticated_at" = "created_at"`);
    await db.query(`ALTER TABLE "logins" ALTER COLUMN "authenticated_at" SET NOT NULL`);
    await db.query(`ALTER TABLE "logins" ALTER COLUMN "authenticated_at" SET DEFAULT now()`);
    await db.query(`ALTER TABLE "logins" ADD "mfa" boolean NOT NULL DEFAULT false`);
    await db.query(`
      CREATE TABLE "mfa_secrets" (
        "user_id" uuid NOT NULL,
        "secret_ciphertext" varchar(255) NOT NULL,
        "confirmed_at" timestamptz,
        "last_step" bigint,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_mfa_secrets" PRIMARY KEY ("user_id"),
        CONSTRAINT "fk_mfa_secrets_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
      )`);
    await db.query(`
      CREATE TABLE "mfa_recovery_codes" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "user_id" uuid NOT NULL,
        "code_hash" char(64) NOT NULL,
        "used_at" timestamptz,
        CONSTRAINT "pk_mfa_recovery_codes" PRIMARY KEY ("id"),
        CONSTRAINT "fk_mfa_recovery_codes_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
      )`);
    await db.query(
      `CREATE UNIQUE INDEX "uq_mfa_recovery_codes_user_hash" ON "mfa_recovery_codes" ("user_id", "code_hash")`,
    );
    await db.query(`
      CREATE TABLE "mfa_challenges" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "user_id" uuid NOT NULL,
        "kind" varchar(16) NOT NULL,
        "credentials_version" integer NOT NULL,
        "expires_at" timestamptz NOT NULL,
        "used_at" timestamptz,
        CONSTRAINT "pk_mfa_challenges" PRIMARY KEY ("id"),
        CONSTRAINT "fk_mfa_challenges_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
      )`);
    await db.query(`CREATE INDEX "ix_mfa_challenges_user" ON "mfa_challenges" ("user_id")`);
    await db.query(`CREATE INDEX "ix_mfa_challenges_expires_at" ON "mfa_challenges" ("expires_at")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "mfa_challenges"`);
    await db.query(`DROP TABLE "mfa_recovery_codes"`);
    await db.query(`DROP TABLE "mfa_secrets"`);
    await db.query(`ALTER TABLE "logins" DROP COLUMN "mfa"`);
    await db.query(`ALTER TABLE "logins" DROP COLUMN "authenticated_at"`);
    await db.query(`ALTER TABLE "users" DROP COLUMN "mfa_enabled"`);
  }
}
