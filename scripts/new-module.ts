// `npm run new:module <name>`: a protected resource built like src/notes/ — module, controller,
// service, entity, DTOs, a migration, an e2e spec — registered in FeaturesModule, src/entities.ts
// and the migrations index. A script rather than a schematic collection: the templates read as
// the code they produce, it runs on the project's own TypeScript loader, and the one edit that
// needs an AST (adding the module to FeaturesModule) reuses @nestjs/schematics' own declarator,
// so it lands exactly where `nest g resource` puts its modules.
import { ModuleDeclarator, type DeclarationOptions } from '@nestjs/schematics/dist/utils/module.declarator.js';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pluralize from 'pluralize';

export class UsageError extends Error {}

/** Lower-case words joined by single hyphens, starting with a letter: also a safe folder and URL segment. */
const KEBAB = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
// PostgreSQL truncates identifiers at 63 bytes; the longest one made here is `ix_<table>_owner_created`.
const MAX_LENGTH = 40;

export interface Names {
  /** `reading-lists`: folder, file prefix and route. */
  plural: string;
  /** `reading-list`: entity and DTO file prefix. */
  singular: string;
  /** `ReadingLists` (module, controller, service). */
  Plural: string;
  /** `ReadingList` (entity, DTOs). */
  Singular: string;
  /** `readingLists`, for the injected repository. */
  pluralCamel: string;
  /** `reading_lists`: the table. */
  table: string;
}

const pascal = (kebab: string) =>
  kebab
    .split('-')
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');

export function namesFor(name: string, root: string): Names {
  if (!KEBAB.test(name) || name.length > MAX_LENGTH) {
    throw new UsageError(
      `"${name}" is not a module name: use lower-case words joined by hyphens, plural, at most ${MAX_LENGTH} characters (e.g. bookmarks, reading-lists).`,
    );
  }
  const words = name.split('-');
  const singular = [...words.slice(0, -1), pluralize.singular(words.at(-1)!)].join('-');
  if (singular === name)
    throw new UsageError(
      `"${name}" should be plural (folders, routes and tables are), e.g. ${pluralize.plural(name)}.`,
    );
  if (existsSync(join(root, 'src', name))) throw new UsageError(`src/${name}/ already exists: choose another name.`);
  const Plural = pascal(name);
  const taken = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }).find((file) => {
    if (!file.endsWith('.ts')) return false;
    const text = readFileSync(join(root, 'src', file), 'utf8');
    return (
      text.includes(`@Controller('${name}')`) ||
      text.includes(`class ${Plural}Module `) ||
      text.includes(`class ${pascal(singular)} `)
    );
  });
  if (taken) throw new UsageError(`"${name}" is taken: src/${taken} already declares its route or classes.`);
  return {
    plural: name,
    singular,
    Plural,
    Singular: pascal(singular),
    pluralCamel: Plural[0]!.toLowerCase() + Plural.slice(1),
    table: name.replaceAll('-', '_'),
  };
}

const entity = (
  n: Names,
) => `import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { User } from '../users/user.entity.js';

@Entity({ name: '${n.table}' })
@Index('ix_${n.table}_owner_created', ['ownerId', 'createdAt'])
export class ${n.Singular} {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'fk_${n.table}_owner' })
  owner?: Relation<User>;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** Optional in the API, never null here: left out, it is empty. */
  @Column({ type: 'text', default: '' })
  description: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
`;

const dto = (n: Names) => `import { PartialType } from '@nestjs/swagger';
import { IsString, Length, MaxLength } from 'class-validator';
import { Omittable } from '../../common/omittable.js';
import type { ${n.Singular} } from '../${n.singular}.entity.js';

export class Create${n.Singular}Dto {
  /** @example "My first ${n.singular.replaceAll('-', ' ')}" */
  @IsString()
  @Length(1, 200)
  name: string;

  /** May be left out (it is then empty), but not null. @example "Why it matters" */
  @Omittable()
  @IsString()
  @MaxLength(2000)
  description?: string;
}

/** Every field may be left out, none may be null (the columns are NOT NULL). */
export class Update${n.Singular}Dto extends PartialType(Create${n.Singular}Dto, { skipNullProperties: false }) {}

export class ${n.Singular}Response {
  /** @example "3f0c6a52-8d1e-4a7b-9a43-6f0f3f7d9b11" */
  id: string;
  /** @example "My first ${n.singular.replaceAll('-', ' ')}" */
  name: string;
  /** @example "Why it matters" */
  description: string;
  createdAt: Date;
  updatedAt: Date;

  static from(item: ${n.Singular}): ${n.Singular}Response {
    const response = new ${n.Singular}Response();
    response.id = item.id;
    response.name = item.name;
    response.description = item.description;
    response.createdAt = item.createdAt;
    response.updatedAt = item.updatedAt;
    return response;
  }
}
`;

const service = (n: Names) => `import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { AuthUser } from '../auth-decorators/index.js';
import type { Create${n.Singular}Dto, Update${n.Singular}Dto } from './dto/${n.singular}.dto.js';
import { ${n.Singular} } from './${n.singular}.entity.js';

/** Private per user: every query is scoped to the owner, so another user's id is simply not found. */
@Injectable()
export class ${n.Plural}Service {
  constructor(@InjectRepository(${n.Singular}) private readonly ${n.pluralCamel}: Repository<${n.Singular}>) {}

  create(owner: AuthUser, dto: Create${n.Singular}Dto): Promise<${n.Singular}> {
    return this.${n.pluralCamel}.save(this.${n.pluralCamel}.create({ ownerId: owner.id, name: dto.name, description: dto.description ?? '' }));
  }

  list(owner: AuthUser, skip: number, take: number): Promise<[${n.Singular}[], number]> {
    return this.${n.pluralCamel}.findAndCount({ where: { ownerId: owner.id }, order: { createdAt: 'DESC', id: 'DESC' }, skip, take });
  }

  async get(owner: AuthUser, id: string): Promise<${n.Singular}> {
    const found = await this.${n.pluralCamel}.findOneBy({ id, ownerId: owner.id });
    if (!found) throw new NotFoundException('${n.Singular} not found');
    return found;
  }

  async update(owner: AuthUser, id: string, dto: Update${n.Singular}Dto): Promise<${n.Singular}> {
    const found = await this.get(owner, id);
    return this.${n.pluralCamel}.save(this.${n.pluralCamel}.merge(found, dto));
  }

  async remove(owner: AuthUser, id: string): Promise<void> {
    const result = await this.${n.pluralCamel}.delete({ id, ownerId: owner.id });
    if (!result.affected) throw new NotFoundException('${n.Singular} not found');
  }
}
`;

const controller = (
  n: Names,
) => `import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, AuthMode, CurrentUser, type AuthUser } from '../auth-decorators/index.js';
import { page, PageOf, PaginationQuery, type Page } from '../common/pagination.js';
import { Create${n.Singular}Dto, ${n.Singular}Response, Update${n.Singular}Dto } from './dto/${n.singular}.dto.js';
import { ${n.Plural}Service } from './${n.plural}.service.js';

// Decide who may call these routes: @Auth(AuthMode.Session), @Auth(AuthMode.Jwt), both, or
// @Public(); add @Roles('admin') for admin-only ones (docs/adding-a-module.md). The route
// inventory test shows the decision in review.
@ApiTags('${n.plural}')
@Auth(AuthMode.Session, AuthMode.Jwt)
@Controller('${n.plural}')
export class ${n.Plural}Controller {
  constructor(private readonly ${n.pluralCamel}: ${n.Plural}Service) {}

  @Post()
  async create(@CurrentUser() user: AuthUser, @Body() dto: Create${n.Singular}Dto): Promise<${n.Singular}Response> {
    return ${n.Singular}Response.from(await this.${n.pluralCamel}.create(user, dto));
  }

  /** The caller's ${n.plural.replaceAll('-', ' ')}, newest first. */
  @Get()
  @ApiOkResponse({ type: PageOf(${n.Singular}Response) })
  async list(@CurrentUser() user: AuthUser, @Query() query: PaginationQuery): Promise<Page<${n.Singular}Response>> {
    const [items, total] = await this.${n.pluralCamel}.list(user, query.skip, query.limit);
    return page(items.map((item) => ${n.Singular}Response.from(item)), total, query);
  }

  @Get(':id')
  @ApiNotFoundResponse({ description: 'No such ${n.singular.replaceAll('-', ' ')} of yours' })
  async get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<${n.Singular}Response> {
    return ${n.Singular}Response.from(await this.${n.pluralCamel}.get(user, id));
  }

  @Patch(':id')
  @ApiNotFoundResponse({ description: 'No such ${n.singular.replaceAll('-', ' ')} of yours' })
  async update(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: Update${n.Singular}Dto,
  ): Promise<${n.Singular}Response> {
    return ${n.Singular}Response.from(await this.${n.pluralCamel}.update(user, id, dto));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNotFoundResponse({ description: 'No such ${n.singular.replaceAll('-', ' ')} of yours' })
  async remove(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.${n.pluralCamel}.remove(user, id);
  }
}
`;

const moduleFile = (n: Names) => `import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ${n.Singular} } from './${n.singular}.entity.js';
import { ${n.Plural}Controller } from './${n.plural}.controller.js';
import { ${n.Plural}Service } from './${n.plural}.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([${n.Singular}])],
  controllers: [${n.Plural}Controller],
  providers: [${n.Plural}Service],
})
export class ${n.Plural}Module {}
`;

const migration = (n: Names, className: string) => `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(db: QueryRunner): Promise<void> {
    await db.query(\`
      CREATE TABLE "${n.table}" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "owner_id" uuid NOT NULL,
        "name" varchar(200) NOT NULL,
        "description" text NOT NULL DEFAULT '',
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_${n.table}" PRIMARY KEY ("id"),
        CONSTRAINT "fk_${n.table}_owner" FOREIGN KEY ("owner_id") REFERENCES "users" ("id") ON DELETE CASCADE
      )\`);
    await db.query(\`CREATE INDEX "ix_${n.table}_owner_created" ON "${n.table}" ("owner_id", "created_at")\`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(\`DROP TABLE "${n.table}"\`);
  }
}
`;

const e2eSpec = (n: Names) => `import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createUser, loginAs, type Client } from './support/kit.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('/api/${n.plural}', () => {
  let t: TestApp;
  let ada: Client;
  let bob: Client;
  beforeAll(async () => {
    t = await createTestApp();
    ada = await loginAs(t, await createUser(t), 'session');
    bob = await loginAs(t, await createUser(t), 'jwt');
  });
  afterAll(async () => {
    await t.close();
  });

  const create = async (client: Client, body: object = { name: 'First' }) => {
    const res = await client.post('/api/${n.plural}').send(body);
    expect(res.status).toBe(201);
    return res.body as { id: string; name: string; description: string };
  };

  it.each(['session', 'jwt'] as const)('POST creates one (%s): 201, description empty when left out', async (mode) => {
    const client = await loginAs(t, await createUser(t), mode);
    const res = await client.post('/api/${n.plural}').send({ name: 'First' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), name: 'First', description: '', createdAt: expect.any(String), updatedAt: expect.any(String) });
  });

  it('GET /:id, PATCH /:id and DELETE /:id answer 200, 200, 204; GET lists newest first', async () => {
    const item = await create(ada, { name: 'Draft', description: 'text' });
    await ada.get(\`/api/${n.plural}/\${item.id}\`).expect(200).expect((res) => expect(res.body).toMatchObject(item));
    const patched = await ada.patch(\`/api/${n.plural}/\${item.id}\`).send({ description: 'edited' }).expect(200);
    expect(patched.body).toMatchObject({ id: item.id, name: 'Draft', description: 'edited' });
    const list = await ada.get('/api/${n.plural}?limit=1').expect(200);
    expect(list.body).toMatchObject({ items: [{ id: item.id }], page: 1, limit: 1 });
    await ada.delete(\`/api/${n.plural}/\${item.id}\`).expect(204);
    await ada.get(\`/api/${n.plural}/\${item.id}\`).expect(404);
  });

  it('another user’s is 404 for read, change and delete', async () => {
    const item = await create(ada);
    await bob.get(\`/api/${n.plural}/\${item.id}\`).expect(404);
    await bob.patch(\`/api/${n.plural}/\${item.id}\`).send({ name: 'mine' }).expect(404);
    await bob.delete(\`/api/${n.plural}/\${item.id}\`).expect(404);
    await ada.get(\`/api/${n.plural}/\${item.id}\`).expect(200);
  });

  it.each([
    ['a missing name', { description: 'd' }],
    ['a null name', { name: null }],
    ['a null description (optional, but not nullable)', { name: 'n', description: null }],
    ['an unknown field', { name: 'n', ownerId: '00000000-0000-0000-0000-000000000000' }],
  ])('POST answers 400 for %s', async (_case, body) => {
    const res = await ada.post('/api/${n.plural}').send(body);
    expect(res.status).toBe(400);
  });

  it('PATCH answers 400 for a null field, not a database error', async () => {
    const item = await create(ada);
    await ada.patch(\`/api/${n.plural}/\${item.id}\`).send({ name: null }).expect(400);
    await ada.patch(\`/api/${n.plural}/\${item.id}\`).send({ description: null }).expect(400);
  });

  it('is 401 without a login', async () => {
    await request(t.http).get('/api/${n.plural}').expect(401);
  });
});
`;

/** Adds `import` after the last import and `entry` as the last element of the array that ends the file. */
function appendToList(text: string, file: string, importLine: string, entry: string): string {
  const lastImport = text.lastIndexOf('\nimport ');
  const afterImport = text.indexOf('\n', text.indexOf(" from '", lastImport + 1));
  const close = text.lastIndexOf('\n];');
  if (lastImport < 0 || afterImport < 0 || close < 0)
    throw new Error(`${file}: could not find its imports and its closing "];"`);
  return `${text.slice(0, afterImport + 1)}${importLine}\n${text.slice(afterImport + 1, close)}\n  ${entry},${text.slice(close)}`;
}

/** Now, or just after the newest migration: TypeORM orders them by this number, and some are dated ahead. */
function migrationTimestamp(root: string, now: number): number {
  const stamps = readdirSync(join(root, 'src/database/migrations'))
    .map((file) => Number.parseInt(file, 10))
    .filter(Number.isFinite);
  return Math.max(now, ...stamps.map((stamp) => stamp + 60_000));
}

export function generate(name: string, root: string): string[] {
  const n = namesFor(name, root);
  const now = migrationTimestamp(root, Date.now());
  const migrationClass = `Create${n.Plural}${now}`;
  const migrationFile = `${now}-create-${n.plural}`;
  const files: Record<string, string> = {
    [`src/${n.plural}/${n.singular}.entity.ts`]: entity(n),
    [`src/${n.plural}/dto/${n.singular}.dto.ts`]: dto(n),
    [`src/${n.plural}/${n.plural}.service.ts`]: service(n),
    [`src/${n.plural}/${n.plural}.controller.ts`]: controller(n),
    [`src/${n.plural}/${n.plural}.module.ts`]: moduleFile(n),
    [`src/database/migrations/${migrationFile}.ts`]: migration(n, migrationClass),
    [`test/${n.plural}.e2e-spec.ts`]: e2eSpec(n),
  };

  // Every edit is computed before anything is written: a failure leaves the tree as it was.
  const appModulePath = join(root, 'src/app.module.ts');
  const appModule = readFileSync(appModulePath, 'utf8');
  const registered = new ModuleDeclarator().declare(appModule, {
    metadata: 'imports',
    type: 'module',
    name: n.plural,
    path: `/src/${n.plural}` as DeclarationOptions['path'],
    module: '/src/app.module.ts' as DeclarationOptions['path'],
    isEsm: true,
  });
  if (!registered.includes(`    ${n.Plural}Module,\n`))
    throw new Error('src/app.module.ts: FeaturesModule no longer has an imports array to add the module to');
  const edits: Record<string, string> = {
    'src/app.module.ts': registered,
    'src/entities.ts': appendToList(
      readFileSync(join(root, 'src/entities.ts'), 'utf8'),
      'src/entities.ts',
      `import { ${n.Singular} } from './${n.plural}/${n.singular}.entity.js';`,
      n.Singular,
    ),
    'src/database/migrations/index.ts': appendToList(
      readFileSync(join(root, 'src/database/migrations/index.ts'), 'utf8'),
      'src/database/migrations/index.ts',
      `import { ${migrationClass} } from './${migrationFile}.js';`,
      migrationClass,
    ),
  };

  for (const [file, text] of Object.entries(files)) {
    mkdirSync(resolve(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), text, { flag: 'wx' });
  }
  for (const [file, text] of Object.entries(edits)) writeFileSync(join(root, file), text);
  return [
    ...Object.keys(files).map((file) => `created ${file}`),
    ...Object.keys(edits).map((file) => `updated ${file}`),
  ];
}

if (import.meta.filename === resolve(process.argv[1] ?? '')) {
  const [name, ...rest] = process.argv.slice(2);
  if (!name || rest.length || name.startsWith('-')) {
    process.stderr.write('usage: npm run new:module <name>   (plural, kebab-case: bookmarks, reading-lists)\n');
    process.exit(2);
  }
  try {
    for (const line of generate(name, process.cwd())) process.stdout.write(`${line}\n`);
    process.stdout.write(
      `\nNext: review the protection in src/${name}/${name}.controller.ts, then\n` +
        `  node --experimental-vm-modules node_modules/jest/bin/jest.js test/${name}.e2e-spec.ts\n` +
        `  npm test -- -u test/route-inventory   (it fails until you accept the new routes; review the snapshot diff)\n` +
        `See docs/adding-a-module.md for the checklist.\n`,
    );
  } catch (error) {
    process.stderr.write(`new:module: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
