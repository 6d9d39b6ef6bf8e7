import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

// The dependency rules of docs/design (DESIGN.md "Shape"), checked on the import statements.
const SRC = import.meta.dirname;
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm;

function sourceFiles(folder: string): string[] {
  return readdirSync(join(SRC, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The top-level folders of src/ a file imports, by relative specifier. */
export function importedFolders(file: string, text = readFileSync(file, 'utf8')): string[] {
  const folders = new Set<string>();
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2] ?? '';
    if (!specifier.startsWith('.')) continue;
    const target = relative(SRC, resolve(file, '..', specifier));
    folders.add(target.includes('/') ? target.slice(0, target.indexOf('/')) : '.');
  }
  return [...folders];
}

describe('module boundaries', () => {
  it('reads relative imports of any form, and ignores packages', () => {
    const file = join(SRC, 'users', 'x.ts');
    const text = [
      "import { A } from '../auth/a.js';",
      "import type { B } from '../tokens/b.js';",
      "export { C } from './c.js';",
      "import '../audit/side-effect.js';",
      "import { D } from '@nestjs/common';",
    ].join('\n');
    expect(importedFolders(file, text).sort()).toEqual(['audit', 'auth', 'tokens', 'users']);
  });

  it('the decorators folder is a leaf: it imports nothing else from src/', () => {
    const files = sourceFiles('auth-decorators');
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      expect({
        file: relative(SRC, file),
        imports: importedFolders(file).filter((f) => f !== 'auth-decorators'),
      }).toEqual({
        file: relative(SRC, file),
        imports: [],
      });
    }
  });

  it.each(['users', 'sessions', 'tokens', 'audit'])('%s/ never imports auth/', (folder) => {
    for (const file of sourceFiles(folder)) {
      expect({ file: relative(SRC, file), auth: importedFolders(file).includes('auth') }).toEqual({
        file: relative(SRC, file),
        auth: false,
      });
    }
  });

  it('mail/ knows no feature: it imports config and common only', () => {
    for (const file of sourceFiles('mail')) {
      const features = importedFolders(file).filter((f) => !['mail', 'config', 'common'].includes(f));
      expect({ file: relative(SRC, file), features }).toEqual({ file: relative(SRC, file), features: [] });
    }
  });

  it('recovery/ imports users, sessions, mail, audit and the shared leaves, never auth/ or tokens/', () => {
    const allowed = ['recovery', 'users', 'sessions', 'mail', 'audit', 'abuse', 'auth-decorators', 'config', 'common'];
    for (const file of sourceFiles('recovery')) {
      const others = importedFolders(file).filter((f) => !allowed.includes(f));
      expect({ file: relative(SRC, file), others }).toEqual({ file: relative(SRC, file), others: [] });
    }
  });

  it.each(['config', 'common'])('%s/ imports no feature folder', (folder) => {
    for (const file of sourceFiles(folder)) {
      const features = importedFolders(file).filter((f) => !['config', 'common'].includes(f));
      expect({ file: relative(SRC, file), features }).toEqual({ file: relative(SRC, file), features: [] });
    }
  });
});
