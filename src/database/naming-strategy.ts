import { createHash } from 'node:crypto';
import { DefaultNamingStrategy, type NamingStrategyInterface, type Table, type View } from 'typeorm';

// PostgreSQL cuts identifiers at 63 bytes; a cut name would differ from the one TypeORM compares.
const MAX_IDENTIFIER = 63;

function limited(name: string): string {
  if (name.length <= MAX_IDENTIFIER) return name;
  return `${name.slice(0, MAX_IDENTIFIER - 9)}_${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

/** `owner_id` → `owner`, as in `fk_notes_owner`. */
const columnsPart = (columns: string[]) => columns.map((column) => column.replace(/_id$/, '')).join('_');

/**
 * Constraint and index names in the committed migrations' style — `pk_notes`, `fk_notes_owner`,
 * `ix_notes_owner_created_at`, `uq_users_email` — so `migration:generate` writes names a reader
 * can place, instead of TypeORM's hashes. typeorm-naming-strategies was checked: it renames
 * tables and columns only and keeps the hashed constraint names. Names given in an entity
 * (`@Index('ix_…')`, `foreignKeyConstraintName`) win over these.
 */
export class ConstraintNamingStrategy extends DefaultNamingStrategy implements NamingStrategyInterface {
  private table(tableOrName: Table | View | string): string {
    const name = typeof tableOrName === 'string' ? tableOrName : tableOrName.name;
    return name.split('.').at(-1)!;
  }

  override primaryKeyName(tableOrName: Table | string): string {
    return limited(`pk_${this.table(tableOrName)}`);
  }

  override uniqueConstraintName(tableOrName: Table | string, columnNames: string[]): string {
    return limited(`uq_${this.table(tableOrName)}_${columnsPart(columnNames)}`);
  }

  override relationConstraintName(tableOrName: Table | string, columnNames: string[]): string {
    return limited(`uq_${this.table(tableOrName)}_${columnsPart(columnNames)}`);
  }

  override foreignKeyName(tableOrName: Table | string, columnNames: string[]): string {
    return limited(`fk_${this.table(tableOrName)}_${columnsPart(columnNames)}`);
  }

  override indexName(tableOrName: Table | View | string, columnNames: string[], where?: string): string {
    const partial = where ? `_${createHash('sha256').update(where).digest('hex').slice(0, 6)}` : '';
    return limited(`ix_${this.table(tableOrName)}_${columnsPart(columnNames)}${partial}`);
  }

  override checkConstraintName(tableOrName: Table | string, expression: string, isEnum?: boolean): string {
    const digest = createHash('sha256').update(expression).digest('hex').slice(0, 8);
    return limited(`ck_${this.table(tableOrName)}_${isEnum ? 'enum_' : ''}${digest}`);
  }

  override exclusionConstraintName(tableOrName: Table | string, expression: string): string {
    return limited(
      `xc_${this.table(tableOrName)}_${createHash('sha256').update(expression).digest('hex').slice(0, 8)}`,
    );
  }
}
