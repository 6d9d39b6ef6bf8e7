import net from 'node:net';

/**
 * How a cut looks to the application:
 * - `reset`: every open connection is reset and new ones are reset at once (a server that
 *   crashed or a port that is closed: errors arrive immediately);
 * - `drop`: open connections stay up but nothing crosses them, and new ones are accepted and
 *   then hear nothing (a network partition or a firewall that drops packets: only the client's
 *   own timeouts notice).
 */
export type CutMode = 'reset' | 'drop';

/** Which way a chunk travels: `up` from the application to the server, `down` back. */
export type Direction = 'up' | 'down';

interface Link {
  client: net.Socket;
  server: net.Socket;
  /** Bytes are discarded instead of forwarded: a black-holed connection. */
  dropped: boolean;
}

/**
 * A TCP proxy between the application under test and PostgreSQL or Redis that a test can cut
 * and restore, on demand or at a chosen point of the conversation (`cutWhen`). Toxiproxy does
 * this with a server of its own (a Go binary, not an npm package): for a few sockets node:net
 * is enough, and the cut points can be functions of the bytes.
 */
export class FaultProxy {
  private readonly links = new Set<Link>();
  private state: 'up' | CutMode = 'up';
  private trigger?: { test: (chunk: Buffer, direction: Direction) => boolean; mode: CutMode; fired: () => void };
  /** Bytes that reached the proxy and went no further (while a cut drops). */
  discardedBytes = 0;
  /** Connections accepted since the start (refused and black-holed ones included). */
  accepted = 0;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  /** Listens on a free loopback port and forwards to `target`. */
  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const proxy = new FaultProxy(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (client) => proxy.accept(client, target));
    return proxy;
  }

  /** A proxy for the server a URL names (`postgres://…`, `redis://…`), and that URL through it. */
  static async forUrl(url: string): Promise<{ proxy: FaultProxy; url: string }> {
    const parsed = new URL(url);
    const defaultPort = parsed.protocol.startsWith('redis') ? 6379 : 5432;
    const proxy = await FaultProxy.start({ host: parsed.hostname, port: Number(parsed.port || defaultPort) });
    parsed.hostname = '127.0.0.1';
    parsed.port = String(proxy.port);
    return { proxy, url: parsed.toString() };
  }

  get isCut(): boolean {
    return this.state !== 'up';
  }

  /** Open connections being forwarded (black-holed ones not counted). */
  get openLinks(): number {
    return [...this.links].filter((link) => !link.dropped).length;
  }

  /** Cuts now: see CutMode. */
  cut(mode: CutMode = 'reset'): void {
    this.state = mode;
    this.trigger = undefined;
    for (const link of this.links) this.sever(link, mode);
  }

  /**
   * Cuts when a chunk satisfies `test`, before forwarding it: the server never sees that chunk
   * (`up`), or the application never sees that answer (`down`). Resolves once it has fired.
   */
  cutWhen(test: (chunk: Buffer, direction: Direction) => boolean, mode: CutMode = 'reset'): Promise<void> {
    return new Promise((resolve) => {
      this.trigger = { test, mode, fired: resolve };
    });
  }

  /**
   * Forwards again. Connections black-holed by a `drop` are reset now: bytes were discarded,
   * so neither end could go on with that stream, and a real peer would have given up on it.
   */
  restore(): void {
    this.state = 'up';
    this.trigger = undefined;
    for (const link of this.links) if (link.dropped) this.sever(link, 'reset');
  }

  async close(): Promise<void> {
    this.trigger = undefined;
    for (const link of this.links) this.sever(link, 'reset');
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, target: { host: string; port: number }): void {
    this.accepted++;
    client.on('error', () => undefined);
    if (this.state === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const server = net.connect(target);
    server.on('error', () => undefined);
    const link: Link = { client, server, dropped: false };
    this.links.add(link);
    const forget = () => {
      this.links.delete(link);
      client.destroy();
      server.destroy();
    };
    client.on('close', forget);
    server.on('close', forget);
    client.on('end', () => link.dropped || server.end());
    server.on('end', () => link.dropped || client.end());
    client.on('data', (chunk: Buffer) => this.forward(link, chunk, 'up'));
    server.on('data', (chunk: Buffer) => this.forward(link, chunk, 'down'));
    if (this.state === 'drop') this.sever(link, 'drop');
  }

  private forward(link: Link, chunk: Buffer, direction: Direction): void {
    const trigger = this.trigger;
    if (!link.dropped && trigger?.test(chunk, direction)) {
      this.cut(trigger.mode);
      trigger.fired();
    }
    if (link.dropped || link.client.destroyed || link.server.destroyed) {
      this.discardedBytes += chunk.length;
      return;
    }
    const [from, to] = direction === 'up' ? [link.client, link.server] : [link.server, link.client];
    // Backpressure: a slow reader slows the writer instead of filling memory.
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  }

  private sever(link: Link, mode: CutMode): void {
    if (mode === 'drop') {
      link.dropped = true;
      return;
    }
    this.links.delete(link);
    link.client.resetAndDestroy();
    link.server.destroy();
  }
}
