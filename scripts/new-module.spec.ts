import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { namesFor, UsageError } from './new-module.js';

// Reads the project's src/ to find names already taken; writes nothing.
const ROOT = join(import.meta.dirname, '..');

describe('new:module names', () => {
  it('derives every name from a plural kebab-case one', () => {
    expect(namesFor('reading-lists', ROOT)).toEqual({
      plural: 'reading-lists',
      singular: 'reading-list',
      Plural: 'ReadingLists',
      Singular: 'ReadingList',
      pluralCamel: 'readingLists',
      table: 'reading_lists',
    });
    expect(namesFor('categories', ROOT)).toMatchObject({ singular: 'category', Singular: 'Category' });
  });

  it.each([
    ['../evil', 'is not a module name'],
    ['src/x', 'is not a module name'],
    ['Bookmarks', 'is not a module name'],
    ['reading_lists', 'is not a module name'],
    ['reading--lists', 'is not a module name'],
    ['-bookmarks', 'is not a module name'],
    ['2fas', 'is not a module name'],
    [`${'a'.repeat(40)}s`, 'is not a module name'],
    ['bookmark', 'should be plural'],
    ['notes', 'src/notes/ already exists'],
    ['logins', 'is taken'],
    ['refresh-tokens', 'is taken'],
  ])('refuses %j: %s', (name, message) => {
    expect(() => namesFor(name, ROOT)).toThrow(UsageError);
    expect(() => namesFor(name, ROOT)).toThrow(message);
  });
});
