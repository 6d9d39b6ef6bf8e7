// Writes src/metadata.ts: what the @nestjs/swagger CLI plugin would add at `nest build` (DTO
// properties from types, class-validator rules and doc comments; response types and summaries of
// controller methods), as data that SwaggerModule.loadPluginMetadata applies at start. Tests
// compile with SWC and `nest build` would be the only place the plugin ran; loading this file
// instead gives the tests and the built service one document.
// Usage: node scripts/swagger-metadata.mjs [outputDir]   (default src/; the test writes to a temp dir)
import { resolve } from 'node:path';
import { PluginMetadataGenerator } from '@nestjs/cli/lib/compiler/plugins/plugin-metadata-generator.js';
import { ReadonlyVisitor } from '@nestjs/swagger/plugin';

const root = resolve(import.meta.dirname, '..');
const src = resolve(root, 'src');

const visitor = new ReadonlyVisitor({
  introspectComments: true,
  classValidatorShim: true,
  // Response shapes are their own classes in *.response.ts files.
  dtoFileNameSuffix: ['.dto.ts', '.entity.ts', '.response.ts'],
  pathToSource: src,
});
new PluginMetadataGenerator().generate({
  visitors: [visitor],
  outputDir: resolve(process.argv[2] ?? src),
  // A program of its own: no type-check spinner, and `npm run typecheck` reports errors anyway.
  tsProgramRef: ReadonlyVisitor.createTsProgram(resolve(root, 'tsconfig.build.json')),
});
