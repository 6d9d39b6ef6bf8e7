import type { MigrationInterface, QueryRunner } from 'typeorm';
import { normalizeEmail } from '../../users/email.js';

/**
 * Emails stored under an earlier rule (NFC and lower case, once) can differ from today's form:
 * not NFC after lower-casing (`h` + U+0331, not `ẖ`), or not folded (`ß`, `ς`, `ſ`, full-width
 * letters). Only non-ASCII rows can change; each gets today's form from the service's own
 * function. A row whose new form another row already holds (or would hold) keeps its old form:
 * merging two accounts is an operator's decision, not a migration's.
 */
export class RenormalizeEmails1764936000000 implements MigrationInterface {
  name = 'RenormalizeEmails1764936000000';

  async up(db: QueryRunner): Promise<void> {
    const rows = (await db.query(
      `SELECT "id", "email" FROM "users" WHERE octet_length("email") <> char_length("email") OR "email" LIKE '%xn--%'`,
    )) as Array<{ id: string; email: string }>;
    const claims = new Map<string, number>();
    const forms = rows.map((row) => {
      const form = normalizeEmail(row.email);
      claims.set(form, (claims.get(form) ?? 0) + 1);
      return { ...row, form };
    });
    for (const { id, email, form } of forms) {
      if (form === email || claims.get(form) !== 1) continue;
      const holders = (await db.query(`SELECT 1 FROM "users" WHERE "email" = $1`, [form])) as unknown[];
      if (holders.length > 0) continue;
      await db.query(`UPDATE "users" SET "email" = $1 WHERE "id" = $2`, [form, id]);
    }
  }

  async down(): Promise<void> {
    // Irreversible by design: nothing produces or looks up the old form any more.
  }
}
