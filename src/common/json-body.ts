import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { Logger } from '@nestjs/common';
import { errorResponse } from './all-exceptions.filter.js';
import { errorBody } from './error-body.js';

export const JSON_BODY_LIMIT = '100kb';

/** JSON bodies up to 100 kB; a NUL character in any string is refused (PostgreSQL text cannot hold it). */
export function jsonBody(): RequestHandler {
  const parse = express.json({ limit: JSON_BODY_LIMIT });
  return (req, res, next) =>
    parse(req, res, (error?: unknown) => {
      if (error) return next(error);
      if (containsNul(req.body)) {
        res.status(400).json(errorBody(400, ['strings must not contain NUL characters']));
        return;
      }
      next();
    });
}

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNul(item, depth + 1));
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
  return (error: { type?: string; status?: number }, req, res, next) => {
    if (res.headersSent) return next(error);
    const known = error?.type ? BODY_ERRORS[error.type] : undefined;
    if (known) {
      res.status(known[0]).json(errorBody(known[0], known[1]));
      return;
    }
    const { status, body } = errorResponse(error, req, logger);
    res.status(status).json(body);
  };
}
