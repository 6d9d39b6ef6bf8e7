import { describe, expect, it } from '@jest/globals';
import { ConstraintNamingStrategy } from './naming-strategy.js';

describe('ConstraintNamingStrategy', () => {
  const naming = new ConstraintNamingStrategy();

  it('names constraints and indexes like the committed migrations', () => {
    expect(naming.primaryKeyName('notes')).toBe('pk_notes');
    expect(naming.foreignKeyName('notes', ['owner_id'])).toBe('fk_notes_owner');
    expect(naming.indexName('public.notes', ['owner_id', 'created_at'])).toBe('ix_notes_owner_created_at');
    expect(naming.uniqueConstraintName('users', ['email'])).toBe('uq_users_email');
    expect(naming.checkConstraintName('users', '"email" = lower("email")')).toMatch(/^ck_users_[0-9a-f]{8}$/);
  });

  it('keeps a name within PostgreSQL’s 63 bytes, distinct per columns', () => {
    const long = (column: string) =>
      naming.indexName('a_table_with_a_rather_long_name', [`${column}_with_a_long_name_too`, 'created_at']);
    expect(long('first').length).toBeLessThanOrEqual(63);
    expect(long('first')).not.toBe(long('other'));
  });
});
