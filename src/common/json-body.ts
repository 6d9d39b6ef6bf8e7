import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { errorBody } from './error-body.js';

export const JSON_BODY_LIMIT = '100kb';

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
 * The JSON body parser and, right behind it, the handler for its errors: they happen before
 * Nest routes the request, so Nest's exception filter never sees them.
 */
export function jsonBody(): [RequestHandler, ErrorRequestHandler] {
  const onError: ErrorRequestHandler = (error: { type?: string; status?: number }, req, res, next) => {
    const known = error.type ? BODY_ERRORS[error.type] : undefined;
    const status = known?.[0] ?? (error.status && error.status >= 400 && error.status < 500 ? error.status : undefined);
    if (status === undefined) return next(error);
    res.status(status).json(errorBody(status, known?.[1] ?? 'Bad request body'));
  };
  return [express.json({ limit: JSON_BODY_LIMIT }), onError];
}
