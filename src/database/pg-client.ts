import pg from 'pg';

/**
 * node-postgres gives up on a query after `query_timeout` but keeps its connection, and the
 * answer may never come (a silent network partition): every later query on that connection
 * would wait behind the lost one and time out too. This client closes such a connection, so the
 * pool replaces it with a new one once the server is back.
 */
export class PgClient extends pg.Client {
  // Every overload of pg's query goes through unchanged; only its outcome is watched.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const callback: unknown = args.at(-1);
    if (typeof callback === 'function') {
      args[args.length - 1] = (error: Error | null, result: unknown) => {
        this.closeAfterTimeout(error);
        (callback as (error: Error | null, result: unknown) => void)(error, result);
      };
      return (super.query as (...rest: unknown[]) => unknown)(...(args as unknown[]));
    }
    const result: unknown = (super.query as (...rest: unknown[]) => unknown)(...(args as unknown[]));
    if (result instanceof Promise) result.catch((error: unknown) => this.closeAfterTimeout(error));
    return result;
  }

  private closeAfterTimeout(error: unknown): void {
    if ((error as Error | null)?.message === 'Query read timeout') this.connection.stream.destroy();
  }
}
