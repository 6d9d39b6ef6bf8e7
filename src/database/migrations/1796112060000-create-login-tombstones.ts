import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateLoginTombstones1796112060000 implements MigrationInterface {
  name = 'CreateLoginTombstones1796112060000';

  async up(db: QueryRunner): Promise<void> {
    // No foreign key and no user id: a tombstone outlives its user and holds nothing personal.
    await db.query(`
      CREATE TABLE "login_tombstones" (
        "login_id" uuid NOT NULL,
        "revoked_at" timestamptz NOT NULL,
        CONSTRAINT "pk_login_tombstones" PRIMARY KEY ("login_id")
      )`);
    await db.query(`CREATE INDEX "ix_login_tombstones_revoked_at" ON "login_tombstones" ("revoked_at")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "login_tombstones"`);
  }
}
