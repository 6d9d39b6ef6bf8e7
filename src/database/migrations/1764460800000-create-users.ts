import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsers1764460800000 implements MigrationInterface {
  name = 'CreateUsers1764460800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE "users" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "email" varchar(254) NOT NULL,
        "name" varchar(100),
        "password_hash" varchar(255) NOT NULL,
        "roles" text[] NOT NULL DEFAULT '{user}',
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_users" PRIMARY KEY ("id"),
        -- The service stores emails normalised; the check keeps the unique index case-insensitive.
        CONSTRAINT "ck_users_email_lower" CHECK ("email" = lower("email"))
      )`);
    await db.query(`CREATE UNIQUE INDEX "uq_users_email" ON "users" ("email")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "users"`);
  }
}
