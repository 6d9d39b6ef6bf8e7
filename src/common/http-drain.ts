import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { Server as NetServer, type AddressInfo } from 'node:net';
import { errorBody } from './error-body.js';

/** Accepting goes on after the signal until the kernel's queue is empty, or this long at most. */
const ACCEPT_WINDOW_MS = 2000;
/** …and until no connection has come for this long: the balancer has stopped choosing us. */
const QUIET_MS = 100;
/** Connections still open this long after the listener closed are cut (orchestrators kill at 30 s). */
export const DRAIN_TIMEOUT_MS = 10_000;
/** Safe methods: any balancer or client may send them again elsewhere, nothing was done. */
const TURNED_AWAY = new Set(['GET', 'HEAD']);

/**
 * Stops the HTTP server so that every connection it accepted gets its answer, before the
 * database and Redis close (Nest runs this before closing the server, and the pools after).
 *
 * `http.Server.close()` (which Nest calls) resets connections in two ways: closing the listening
 * socket resets the ones the kernel has completed but the process has not yet accepted, and
 * Node ≥ 19 destroys every connection without a request in progress — including one whose
 * request is still unread in the socket buffer. Either way the client sees ECONNRESET for a
 * request it had sent; behind nginx a POST on such a connection is a 502 (nginx never repeats
 * one it has sent). So, on shutdown: answer every request from then on with `Connection: close`;
 * while the listener is open, answer GET and HEAD with 503 so that a balancer retries them on
 * another instance and stops choosing this one (nginx: `proxy_next_upstream http_503`, then the
 * server is down for `fail_timeout`) — otherwise every `Connection: close` answer brings a new
 * connection into the queue we are about to close. Keep accepting until the queue is empty and
 * quiet (at most 2 s), close the listener without touching open connections, and wait for them
 * to end — a keep-alive connection closes after its next answer, or at the server's keep-alive
 * timeout (5 s) if none comes. http-terminator, stoppable and @godaddy/terminus were checked:
 * all three destroy idle connections at once, which is the second reset above, and none turns
 * a balancer away before closing the listener.
 */
@Injectable()
export class HttpDrain implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private draining = false;
  private listening = true;
  private lastConnection = 0;
  private readonly inFlight = new Set<ServerResponse>();

  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  private get server(): Server | undefined {
    return this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
  }

  onApplicationBootstrap(): void {
    const server = this.server;
    if (!server) return;
    server.on('connection', () => (this.lastConnection = Date.now()));
    // In front of the app's own listener (Express), so a turned-away request never reaches it
    // and the header is set before any handler can answer.
    const handlers = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.draining) {
        res.setHeader('Connection', 'close');
        if (this.listening && TURNED_AWAY.has(req.method ?? '')) {
          const body = JSON.stringify(errorBody(503, 'This instance is shutting down; try again'));
          res.writeHead(503, {
            'content-type': 'application/json; charset=utf-8',
            'retry-after': '1',
            'cache-control': 'no-store',
          });
          res.end(body);
          return;
        }
      } else {
        this.inFlight.add(res);
        res.once('close', () => this.inFlight.delete(res));
      }
      for (const handler of handlers) handler.call(server, req, res);
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    // The e2e tests' apps never listen: supertest opens and closes a server per request.
    if (!server?.listening || this.draining) return;
    this.draining = true;
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    this.inFlight.clear();

    // Node accepts a queued connection only now and then on a busy event loop (one a turn at
    // best), so a fixed wait is never enough: watch the kernel's queue until it is empty.
    const port = (server.address() as AddressInfo | null)?.port;
    const until = Date.now() + ACCEPT_WINDOW_MS;
    while (
      port !== undefined &&
      Date.now() < until &&
      ((await acceptQueueLength(port)) > 0 || Date.now() - this.lastConnection < QUIET_MS)
    ) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    this.listening = false;

    // net.Server's close stops listening and calls back once every connection has ended; the
    // http.Server override would first destroy the idle ones.
    const drained = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        server.closeAllConnections();
        resolve();
      }, DRAIN_TIMEOUT_MS);
    });
    await Promise.race([drained, timedOut]);
    clearTimeout(timer);
  }
}

/** LISTEN in /proc/net/tcp*, where rx_queue is the number of connections waiting to be accepted. */
const TCP_LISTEN = '0A';

/**
 * Connections the kernel has completed on our listening port and the process not yet accepted
 * (Linux, from /proc/net/tcp and tcp6); 0 where that is not readable. No Node API exposes it.
 */
export async function acceptQueueLength(port: number): Promise<number> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let queued = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const table = await readFile(file, 'utf8').catch(() => '');
    for (const line of table.split('\n').slice(1)) {
      const [, local, , state, queues] = line.trim().split(/\s+/);
      if (state === TCP_LISTEN && local?.endsWith(`:${hexPort}`))
        queued += parseInt(queues?.split(':')[1] ?? '0', 16) || 0;
    }
  }
  return queued;
}
