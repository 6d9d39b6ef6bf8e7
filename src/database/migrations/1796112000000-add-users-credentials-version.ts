import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddUsersCredentialsVersion1796112000000 implements MigrationInterface {
  name = 'AddUsersCredentialsVersion1796112000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "users" ADD "credentials_version" integer NOT NULL DEFAULT 0`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "users" DROP COLUMN "credentials_version"`);
  }
}
