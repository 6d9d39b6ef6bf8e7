import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { Logger } from '@nestjs/common';
import { errorResponse } from './all-exceptions.filter.js';
import { errorBody } from './error-body.js';

export const JSON_BODY_LIMIT = '100kb';

/** Deeper than any body the API accepts; deeper ones overflow the stack of recursive validators. */
const JSON_MAX_DEPTH = 32;

/**
 * JSON bodies up to 100 kB, refused with a 400 when a string or key holds a NUL (PostgreSQL text
 * cannot hold it) or a lone surrogate (not Unicode: validators and encoders throw on it), or when
 * arrays and objects nest deeper than JSON_MAX_DEPTH.
 */
export function jsonBody(): RequestHandler {
  const parse = express.json({ limit: JSON_BODY_LIMIT });
  return (req, res, next) =>
    parse(req, res, (error?: unknown) => {
      if (error) return next(error);
      const problem = bodyProblem(req.body);
      if (problem) {
        res.status(400).json(errorBody(400, [problem]));
        return;
      }
      next();
    });
}

/** One pass over the parsed body with an explicit stack: linear in its size, whatever its depth. */
function bodyProblem(body: unknown): string | undefined {
  const pending: Array<[unknown, number]> = [[body, 0]];
  for (let item = pending.pop(); item; item = pending.pop()) {
    const [value, depth] = item;
    if (typeof value === 'string') {
      const problem = stringProblem(value);
      if (problem) return problem;
    } else if (value !== null && typeof value === 'object') {
      if (depth >= JSON_MAX_DEPTH) return `arrays and objects must not nest deeper than ${JSON_MAX_DEPTH} levels`;
      for (const [key, child] of Object.entries(value)) {
        const problem = stringProblem(key);
        if (problem) return problem;
        pending.push([child, depth + 1]);
      }
    }
  }
  return undefined;
}

// ES2024 in Node 20; the compiler's lib stays ES2023 so that nothing Node 20 lacks type-checks.
type WellFormedString = string & { isWellFormed(): boolean };

function stringProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'strings must not contain NUL characters';
  if (!(value as WellFormedString).isWellFormed()) return 'strings must be well-formed Unicode (no lone surrogates)';
  return undefined;
}

/** body-parser's error types and the answer each deserves. */
const BODY_ERRORS: Record<string, [number, string]> = {
  'entity.parse.failed': [400, 'Malformed JSON body'],
  'entity.too.large': [413, `Request body is larger than ${JSON_BODY_LIMIT}`],
  'encoding.unsupported': [415, 'Unsupported content encoding'],
  'charset.unsupported': [415, 'Unsupported charset'],
  'request.aborted': [400, 'Request aborted'],
  'request.size.invalid': [400, 'Request size did not match Content-Length'],
};

/**
 * Errors raised by Express middleware (body parsing, the session store) happen before Nest
 * routes the request, so the Nest filter never sees them: this answers them the same way.
 */
export function middlewareErrors(): ErrorRequestHandler {
  const logger = new Logger('Middleware');
  return (error: { type?: string; status?: number; expose?: boolean }, req, res, next) => {
    if (res.headersSent) return next(error);
    const known = error?.type ? BODY_ERRORS[error.type] : undefined;
    if (known) {
      res.status(known[0]).json(errorBody(known[0], known[1]));
      return;
    }
    // Other client errors of body-parser, such as a gzip, deflate or br body that does not
    // decompress: they carry their 4xx status and no type.
    if (typeof error?.status === 'number' && error.status >= 400 && error.status < 500 && error.expose) {
      res.status(error.status).json(errorBody(error.status, 'Request body could not be read'));
      return;
    }
    const { status, body } = errorResponse(error, req, logger);
    res.status(status).json(body);
  };
}
