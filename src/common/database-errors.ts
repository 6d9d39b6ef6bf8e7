// Socket errors; PostgreSQL: admin/crash shutdown, cannot connect now, connection failures,
// too many connections, database not accepting connections, database gone, statement timeout
// (a server too slow to answer is as unavailable as one that is gone).
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
  '53300',
  '55000',
  '3D000',
  '57014',
]);
const UNREACHABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|PGlite is closed/i;

/** True for errors of a database that cannot be reached (node-postgres, PostgreSQL, PGlite). */
export function isDatabaseUnavailable(error: unknown): boolean {
  const cause = (error as { driverError?: unknown })?.driverError ?? error;
  const { code, message } = (cause ?? {}) as { code?: string; message?: string };
  return (code !== undefined && UNREACHABLE_CODES.has(code)) || UNREACHABLE_MESSAGES.test(message ?? '');
}
