import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddUsersEmailVerified1796198437915 implements MigrationInterface {
  name = 'AddUsersEmailVerified1796198437915';

  async up(db: QueryRunner): Promise<void> {
    // Existing accounts start unverified: nobody has proved they own those addresses. Nothing
    // changes for them unless REQUIRE_VERIFIED_EMAIL is turned on; then a password reset (which
    // proves the address too) or a verification link lets them in.
    await db.query(`ALTER TABLE "users" ADD "email_verified" boolean NOT NULL DEFAULT false`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "users" DROP COLUMN "email_verified"`);
  }
}
