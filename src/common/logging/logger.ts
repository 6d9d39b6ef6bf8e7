import type { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type DestinationStream, type Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';

/** Never log a password, token, cookie or hash (STYLE 11). */
const SECRET_FIELDS = ['password', 'currentPassword', 'newPassword', 'refreshToken', 'accessToken', 'csrfToken', 'passwordHash'];
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  // TypeORM errors carry the statement's parameters: hashes, session data, token hashes.
  'err.parameters',
  'err.driverError.parameters',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

/** The app's logger; `destination` (stdout by default) lets a test read what it writes. */
export function createLogger(level: string, pretty: boolean, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Access log with a request id: a sane incoming `X-Request-Id` is kept, else a new uuid. */
export function httpLogger(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    // The per-request child logger carries the request id only; serialising (and redacting)
    // the whole request for it on every request costs more than the route itself.
    quietReqLogger: true,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    serializers: {
      req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
        remoteAddress: req.remoteAddress,
      }),
      // Status only: the response headers are the same security headers on every line.
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}

/** Nest's own log lines (bootstrap, exceptions) through the same pino logger. */
export class PinoLoggerService implements LoggerService {
  constructor(private readonly logger: Logger) {}

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, params: unknown[]) {
    const context = typeof params.at(-1) === 'string' ? (params.pop() as string) : undefined;
    const child = context ? this.logger.child({ context }) : this.logger;
    if (message !== null && typeof message === 'object' && !(message instanceof Error)) {
      const [text] = params;
      child[level](message as object, typeof text === 'string' ? text : undefined);
    } else if (message instanceof Error) {
      child[level]({ err: message }, message.message);
    } else {
      child[level](String(message));
    }
  }

  log(message: unknown, ...params: unknown[]) {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    // Nest passes (message, stack, context); the stack belongs in the record, not as text.
    if (typeof message === 'string' && typeof params[0] === 'string' && params.length > 1) {
      const [stack, context] = params as [string, string];
      this.logger.child({ context }).error({ stack }, message);
      return;
    }
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]) {
    this.write('fatal', message, params);
  }
}
