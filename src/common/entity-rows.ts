import type { ObjectLiteral, Repository } from 'typeorm';

/**
 * Whole entities read by statements written in SQL, on paths where TypeORM's find and query
 * builder cost several times the CPU of the statement itself (a login, a refresh). `columns`
 * names every column of the entity under its property (`"password_hash" AS "passwordHash"`),
 * from TypeORM's own metadata, so a column added to the entity is read too; `from` makes the
 * entity of such a row, timestamps as Date whatever the driver gave (the embedded database's
 * adapter may give strings).
 */
export class EntityRows<T extends ObjectLiteral> {
  readonly columns: string;
  private readonly times: ReadonlySet<string>;

  constructor(private readonly repository: Pick<Repository<T>, 'metadata'>) {
    const { columns } = repository.metadata;
    this.columns = columns.map((column) => `"${column.databaseName}" AS "${column.propertyPath}"`).join(', ');
    this.times = new Set(
      columns
        .filter((column) => column.type === 'timestamptz' || column.type === 'timestamp' || column.type === Date)
        .map((column) => column.propertyPath),
    );
  }

  from(row: Record<string, unknown>): T {
    const entity = this.repository.metadata.create() as Record<string, unknown>;
    for (const [property, value] of Object.entries(row))
      entity[property] = this.times.has(property) && value !== null ? new Date(value as string | Date) : value;
    return entity as T;
  }
}
