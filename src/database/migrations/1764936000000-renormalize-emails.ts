import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Emails stored before normalisation reached a fixed point can be lower case but not NFC
 * (`h` + U+0331 instead of `ẖ`); their NFC is today's form, so lookups find them again. A row
 * whose new form another row already holds (or would hold) keeps its old form: merging two
 * accounts is an operator's decision, not a migration's.
 */
export class RenormalizeEmails1764936000000 implements MigrationInterface {
  name = 'RenormalizeEmails1764936000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      UPDATE "users" AS u SET "email" = normalize(u."email", NFC)
      WHERE u."email" <> normalize(u."email", NFC)
        AND NOT EXISTS (
          SELECT 1 FROM "users" AS o
          WHERE o."id" <> u."id" AND (o."email" = normalize(u."email", NFC) OR normalize(o."email", NFC) = normalize(u."email", NFC))
        )`);
  }

  async down(): Promise<void> {
    // Irreversible by design: nothing produces or looks up the old form any more.
  }
}
