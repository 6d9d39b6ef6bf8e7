import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isDatabaseUnavailable } from './database-errors.js';
import { isRedisUnavailable } from './redis-errors.js';
import { errorBody, type ErrorBody } from './error-body.js';

/**
 * Turns any error into a response: HTTP exceptions keep Nest's standard shape; anything else is
 * logged with the request id and answered opaquely, never with a stack trace or SQL. Shared by
 * the Nest filter and the Express error middleware (errors raised before Nest routes a request).
 */
export function errorResponse(
  error: unknown,
  request: Request,
  logger: Logger,
): { status: number; body: ErrorBody | object } {
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    if (status >= 500) logger.error({ err: error, reqId: request.id }, 'Request failed');
    return { status, body: typeof body === 'string' ? errorBody(status, body) : body };
  }
  if (isDatabaseUnavailable(error)) {
    logger.error({ err: error, reqId: request.id }, 'Database unavailable');
    const status = HttpStatus.SERVICE_UNAVAILABLE;
    return { status, body: errorBody(status, 'The database is unavailable; try again shortly', String(request.id)) };
  }
  if (isRedisUnavailable(error)) {
    // Redis holds the shared counters (rate limit, lockout) and the sessions: refusing is safer
    // than not counting, and a session that cannot be read now is not a logout.
    logger.error({ err: error, reqId: request.id }, 'Redis unavailable');
    const status = HttpStatus.SERVICE_UNAVAILABLE;
    return {
      status,
      body: errorBody(status, 'A service the request needs is unavailable; try again shortly', String(request.id)),
    };
  }
  logger.error({ err: error, reqId: request.id }, 'Unhandled error');
  const status = HttpStatus.INTERNAL_SERVER_ERROR;
  return { status, body: errorBody(status, 'Internal server error', String(request.id)) };
}

/** The one exception filter. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    if (response.headersSent) return;
    const { status, body } = errorResponse(exception, http.getRequest<Request>(), this.logger);
    response.status(status).json(body);
  }
}
