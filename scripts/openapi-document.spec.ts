import { describe, expect, it } from '@jest/globals';
import { openApiText, stableDocument } from './openapi-document.mjs';

describe('the docs/openapi.json layout', () => {
  const document = {
    openapi: '3.0.0',
    paths: {
      '/api/notes': { post: { operationId: 'create' }, get: { operationId: 'list' }, parameters: [] },
      '/api/auth/register': { post: { operationId: 'register' } },
    },
    info: { title: 'nest-dual-auth' },
    components: {
      securitySchemes: { session: { type: 'apiKey' }, jwt: { type: 'http' } },
      schemas: {
        NoteResponse: { properties: { id: {}, title: {}, body: {} }, required: ['title', 'body'] },
        CreateNoteDto: { properties: { title: {}, body: {} } },
      },
    },
  };

  it('sorts paths and components by name and operations in OpenAPI order, whatever the registration order', () => {
    const stable = stableDocument(document);
    expect(Object.keys(stable.paths)).toEqual(['/api/auth/register', '/api/notes']);
    expect(Object.keys(stable.paths['/api/notes'])).toEqual(['parameters', 'get', 'post']);
    expect(Object.keys(stable.components.schemas)).toEqual(['CreateNoteDto', 'NoteResponse']);
    expect(Object.keys(stable.components.securitySchemes)).toEqual(['jwt', 'session']);
  });

  it('keeps the order the document gives properties, required lists and top-level fields', () => {
    const stable = stableDocument(document);
    expect(Object.keys(stable.components.schemas.NoteResponse.properties)).toEqual(['id', 'title', 'body']);
    expect(stable.components.schemas.NoteResponse.required).toEqual(['title', 'body']);
    expect(Object.keys(stable)).toEqual(['openapi', 'paths', 'info', 'components']);
  });

  it('writes two-space JSON with a final newline, the same text for the same API', () => {
    const reordered = {
      ...document,
      paths: { '/api/auth/register': document.paths['/api/auth/register'], '/api/notes': document.paths['/api/notes'] },
    };
    expect(openApiText(reordered)).toBe(openApiText(document));
    expect(openApiText(document)).toMatch(/^\{\n {2}"openapi": "3\.0\.0",\n[^]*\}\n$/);
  });
});
