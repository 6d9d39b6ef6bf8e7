// Writes docs/openapi.json: the OpenAPI document served by the built service (`npm run openapi`
// builds first), started on a temporary embedded database, in a stable order (see
// openapi-document.mjs). Clients generate their types from the file; test/openapi.e2e-spec.ts
// fails while it is out of date.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, startBuiltService } from './built-service.mjs';
import { OPENAPI_ENV, openApiText } from './openapi-document.mjs';

const file = join(root, 'docs', 'openapi.json');
let service;
try {
  service = await startBuiltService({ env: OPENAPI_ENV });
  const response = await fetch(`${service.base}/docs-json`);
  if (!response.ok) throw new Error(`/docs-json answered ${response.status}`);
  const document = await response.json();
  writeFileSync(file, openApiText(document));
  console.log(
    `wrote docs/openapi.json: ${Object.keys(document.paths).length} paths, ${Object.keys(document.components?.schemas ?? {}).length} schemas`,
  );
} catch (error) {
  console.error(`openapi: ${error.message}`);
  if (error.output) console.error(error.output.trimEnd());
  process.exitCode = 1;
} finally {
  await service?.stop(2_000);
}
