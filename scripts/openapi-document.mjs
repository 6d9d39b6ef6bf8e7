// What `npm run openapi` writes to docs/openapi.json, shared with test/openapi.e2e-spec.ts, which
// fails while the committed file differs from the document the app serves.

/**
 * The configuration the file is generated with: the service as deployed, whose session cookie is
 * `__Host-sid` (COOKIE_SECURE on, as under NODE_ENV=production).
 */
export const OPENAPI_ENV = { COOKIE_SECURE: 'true' };

// The order OpenAPI 3 lists a path item's operations in.
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const byName = (object) => Object.fromEntries(Object.entries(object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const methodRank = (key) => (METHODS.includes(key) ? METHODS.indexOf(key) : -1);

/**
 * The document with its lookup tables in a stable order, so the file changes only where the API
 * does and two branches adding routes merge cleanly: paths and every components map by name,
 * operations in OpenAPI's method order. Everything written in an order of its own (a schema's
 * properties, `required`, parameters) keeps it.
 */
export function stableDocument(document) {
  const paths = Object.fromEntries(
    Object.entries(byName(document.paths ?? {})).map(([path, item]) => [
      path,
      Object.fromEntries(Object.entries(item).sort(([a], [b]) => methodRank(a) - methodRank(b))),
    ]),
  );
  const components = Object.fromEntries(
    Object.entries(document.components ?? {}).map(([kind, map]) => [kind, byName(map)]),
  );
  return { ...document, paths, components };
}

/** The file's text: two-space JSON and a final newline. */
export const openApiText = (document) => `${JSON.stringify(stableDocument(document), null, 2)}\n`;
