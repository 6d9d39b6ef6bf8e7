import { describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { migrations } from './migrations/index.js';

const FOLDER = join(import.meta.dirname, 'migrations');

describe('migrations/index.ts', () => {
  it('lists the migration of every file in the folder, in timestamp order', async () => {
    const files = readdirSync(FOLDER)
      .filter((file) => file !== 'index.ts')
      .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
    const inFolder: unknown[] = [];
    for (const file of files) inFolder.push(...Object.values(await import(join(FOLDER, file))));
    expect(inFolder).toHaveLength(files.length);
    expect(migrations).toEqual(inFolder);
  });

  it('names each file after its class’s timestamp', () => {
    const stamps = readdirSync(FOLDER)
      .filter((file) => file !== 'index.ts')
      .map((file) => file.split('-')[0])
      .sort();
    expect(migrations.map((migration) => migration.name.match(/\d+$/)?.[0]).sort()).toEqual(stamps);
  });
});
