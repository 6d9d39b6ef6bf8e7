import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// What a teammate does to add a module, on a copy of the project: `npm run new:module`, then
// `nest g resource`, then the typecheck, the build and the specs they wrote. Slow-ish (a few
// compiler runs), so one copy serves every step.
const ROOT = join(import.meta.dirname, '..');
const PROJECT_FILES = [
  'src',
  'test',
  'scripts',
  'bench',
  'examples',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
  'jest.config.mjs',
  'ormconfig.ts',
];

interface Result {
  code: number | null;
  output: string;
}

function run(cwd: string, command: string, args: string[]): Promise<Result> {
  // The outer run's ids would make the inner Jest share its databases and template.
  const { JEST_WORKER_ID: _worker, TEST_RUN_ID: _run, PGLITE_TEMPLATE: _template, ...env } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...env, FORCE_COLOR: '0' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const node = (cwd: string, ...args: string[]) => run(cwd, process.execPath, args);

describe('adding a module', () => {
  let dir: string;
  let generated: Result;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nda-new-module-'));
    for (const file of PROJECT_FILES) cpSync(join(ROOT, file), join(dir, file), { recursive: true });
    // The packages are shared, their cache is not: the inner run's database template stays in the copy.
    mkdirSync(join(dir, 'node_modules'));
    for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
      if (entry !== '.cache') symlinkSync(join(ROOT, 'node_modules', entry), join(dir, 'node_modules', entry));
    }
    generated = await run(dir, 'npm', ['run', '-s', 'new:module', 'bookmarks']);
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('npm run new:module writes the module, its migration and its spec, and registers them', () => {
    expect(generated).toEqual({
      code: 0,
      output: expect.stringContaining('created src/bookmarks/bookmarks.controller.ts'),
    });
    const text = (file: string) => readFileSync(join(dir, file), 'utf8');
    expect(text('src/bookmarks/bookmarks.controller.ts')).toContain('@Auth(AuthMode.Session, AuthMode.Jwt)');
    expect(text('src/app.module.ts')).toMatch(
      /@Module\(\{\s*imports: \[[^\]]*\bBookmarksModule,\s*\],\s*\}\)\s*export class FeaturesModule/,
    );
    expect(text('src/entities.ts')).toMatch(/\bBookmark,\s*\];/);
    expect(text('src/database/migrations/index.ts')).toMatch(/\bCreateBookmarks\d+,\s*\];/);
    expect(existsSync(join(dir, 'test/bookmarks.e2e-spec.ts'))).toBe(true);
  });

  // The other refusals are unit-tested in scripts/new-module.spec.ts.
  it.each([
    ['an existing module', 'bookmarks', 'src/bookmarks/ already exists'],
    ['a path', '../evil', 'is not a module name'],
  ])('new:module refuses %s in one line, exit code 1, writing nothing', async (_case, name, message) => {
    const before = readFileSync(join(dir, 'src/app.module.ts'), 'utf8');
    const result = await node(dir, '--import', '@swc-node/register/esm-register', 'scripts/new-module.ts', name);
    expect(result).toEqual({ code: 1, output: expect.stringContaining(message) });
    expect(readFileSync(join(dir, 'src/app.module.ts'), 'utf8')).toBe(before);
    expect(existsSync(join(dir, '..', 'evil'))).toBe(false);
  });

  it('migration:generate finds nothing to add: it compares with the migrated schema, which the generated migration completes', async () => {
    const result = await run(dir, 'npm', [
      'run',
      '-s',
      'migration:generate',
      '--',
      'src/database/migrations/unexpected',
    ]);
    expect(result).toEqual({ code: 1, output: expect.stringContaining('No changes in database schema were found') });
    expect(existsSync(join(dir, 'data'))).toBe(false);
  }, 120_000);

  it('nest g resource lands its module in FeaturesModule too', async () => {
    const result = await node(
      dir,
      'node_modules/@nestjs/cli/bin/nest.js',
      'g',
      'resource',
      'things',
      '--type',
      'rest',
      '--crud',
    );
    expect(result.code).toBe(0);
    expect(readFileSync(join(dir, 'src/app.module.ts'), 'utf8')).toMatch(
      /imports: \[[^\]]*\bThingsModule,\s*\],\s*\}\)\s*export class FeaturesModule/,
    );
  }, 120_000);

  it('the result typechecks and builds', async () => {
    await expect(node(dir, 'node_modules/typescript/bin/tsc', '--noEmit', '-p', 'tsconfig.json')).resolves.toEqual({
      code: 0,
      output: '',
    });
    const build = await node(dir, 'node_modules/@nestjs/cli/bin/nest.js', 'build');
    expect(build.code).toBe(0);
    expect(existsSync(join(dir, 'dist/bookmarks/bookmarks.module.js'))).toBe(true);
  }, 300_000);

  it('the generated specs pass: the e2e spec on a migrated database, and nest g’s unit specs', async () => {
    const result = await node(
      dir,
      '--experimental-vm-modules',
      'node_modules/jest/bin/jest.js',
      'test/bookmarks.e2e-spec.ts',
      'src/things/',
    );
    expect({ code: result.code, tail: result.output.slice(-600) }).toEqual({
      code: 0,
      tail: expect.stringMatching(/Test Suites: 3 passed, 3 total/),
    });
  }, 300_000);
});
