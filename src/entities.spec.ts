import { describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataArgsStorage } from 'typeorm';
import { entities } from './entities.js';

describe('entities', () => {
  it('lists every @Entity class under src/ (the app and the migration CLI map the same tables)', async () => {
    const files = readdirSync(import.meta.dirname, { recursive: true, encoding: 'utf8' }).filter((file) =>
      file.endsWith('.entity.ts'),
    );
    expect(files.length).toBeGreaterThanOrEqual(entities.length);
    for (const file of files) await import(join(import.meta.dirname, file));
    const declared = getMetadataArgsStorage()
      .tables.map((table) => table.target)
      .filter((target): target is new () => unknown => typeof target === 'function');
    // TypeORM's metadata storage is global: other spec files of the same worker add their own
    // copies of these classes, so compare by name.
    const listed = new Set(entities.map((entity) => (entity as { name: string }).name));
    const missing = [...new Set(declared.map((target) => target.name))].filter((name) => !listed.has(name));
    expect(missing).toEqual([]);
  });
});
