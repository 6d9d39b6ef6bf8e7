import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { errorBody } from './error-body.js';

/** Errors of a database that cannot be reached (node-postgres, PostgreSQL, PGlite). */
function isDatabaseUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P03', '08006', '08001', '08003'].includes(code)) {
    return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|PGlite is closed/i.test(
    message ?? '',
  );
}

/**
 * The one exception filter. HTTP exceptions keep Nest's standard shape; anything else is
 * logged with the request id and answered opaquely, never with a stack trace or SQL.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    if (response.headersSent) return;

    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (status >= 500) this.logger.error({ err: exception, reqId: request.id }, 'Request failed');
      response.status(status).json(typeof body === 'string' ? errorBody(status, body) : body);
      return;
    }

    const cause = (exception as { driverError?: unknown })?.driverError ?? exception;
    if (isDatabaseUnavailable(cause)) {
      this.logger.error({ err: exception, reqId: request.id }, 'Database unavailable');
      response
        .status(HttpStatus.SERVICE_UNAVAILABLE)
        .json(errorBody(HttpStatus.SERVICE_UNAVAILABLE, 'The database is unavailable; try again shortly', String(request.id)));
      return;
    }

    this.logger.error({ err: exception, reqId: request.id }, 'Unhandled error');
    response
      .status(HttpStatus.INTERNAL_SERVER_ERROR)
      .json(errorBody(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error', String(request.id)));
  }
}
