import type { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type DestinationStream, type Logger } from 'pino';

/** Never log a password, token, cookie or hash (STYLE 11). */
const SECRET_FIELDS = [
  'password',
  'currentPassword',
  'newPassword',
  'refreshToken',
  'accessToken',
  'csrfToken',
  'passwordHash',
  'token',
];
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
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } } }
      : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** This request's id, echoed as `X-Request-Id` and written on its log lines. */
      id?: string;
    }
  }
}

/** What the access log reads of a request: Node's, plus Express's `originalUrl` when mounted. */
type LoggedRequest = IncomingMessage & { id?: string; originalUrl?: string };

/**
 * Access log with a request id: a sane incoming `X-Request-Id` is kept, else a new uuid; one
 * line when the response is done (`close` follows `finish`, and also comes alone when the client
 * went away first): 5xx and aborted at error, 4xx at warn, the rest at info.
 *
 * Written over pino instead of pino-http 11: its middleware makes two child loggers per request
 * (one binding the request id, one the request object for its serialiser) before it knows
 * whether a line will be written, and no option (`quietReqLogger`, `autoLogging`) skips them;
 * with the redaction they inherit that was ~18 % of a public route's CPU at `LOG_LEVEL=warn`.
 * Here nothing is built for a line the level drops, and a written line is one plain object.
 */
export function httpLogger(logger: Logger): (req: LoggedRequest, res: ServerResponse, next?: () => void) => void {
  // The access line is built from fixed fields, none of them a secret (no headers, no body):
  // the redaction's wildcard paths would scan every line for nothing (~4 % of the CPU at info).
  const access = logger.child({}, { redact: [] });
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    const start = Date.now();
    res.once('close', () => {
      const aborted = !res.writableFinished;
      const statusCode = res.statusCode;
      const level = aborted || statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info';
      if (!access.isLevelEnabled(level)) return;
      access[level](
        {
          reqId: id,
          req: { id, method: req.method, url: req.originalUrl ?? req.url, remoteAddress: req.socket?.remoteAddress },
          // Status only: the response headers are the same security headers on every line.
          res: { statusCode },
          responseTime: Date.now() - start,
        },
        aborted ? 'request aborted' : statusCode >= 500 ? 'request errored' : 'request completed',
      );
    });
    next?.();
  };
}

/** Nest's own log lines (bootstrap, exceptions) through the same pino logger. */
export class PinoLoggerService implements LoggerService {
  constructor(private readonly logger: Logger) {}

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, params: unknown[]) {
    const context = typeof params.at(-1) === 'string' ? (params.pop() as string) : undefined;
    const child = context ? this.logger.child({ context }) : this.logger;
    if (message !== null && typeof message === 'object' && !(message instanceof Error)) {
      const [text] = params;
      child[level](message, typeof text === 'string' ? text : undefined);
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
