import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateNotes1764633600000 implements MigrationInterface {
  name = 'CreateNotes1764633600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE "notes" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "owner_id" uuid NOT NULL,
        "title" varchar(200) NOT NULL,
        "body" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_notes" PRIMARY KEY ("id"),
        CONSTRAINT "fk_notes_owner" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE CASCADE
      )`);
    await db.query(`CREATE INDEX "ix_notes_owner_created" ON "notes" ("owner_id", "created_at")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "notes"`);
  }
}
