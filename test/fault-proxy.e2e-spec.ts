import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import { FaultProxy } from './support/fault-proxy.js';

/** The proxy the outage specs rely on, against an echo server: it forwards, cuts both ways, restores. */
describe('FaultProxy', () => {
  let echo: net.Server;
  let received: string;
  let proxy: FaultProxy;
  const sockets = new Set<net.Socket>();

  beforeEach(async () => {
    received = '';
    echo = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('data', (chunk) => {
        received += chunk.toString();
        socket.write(chunk);
      });
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: (echo.address() as net.AddressInfo).port });
  });
  afterEach(async () => {
    await proxy.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => echo.close(resolve));
  });

  /** A client through the proxy: what it has read, and how it ended. */
  const connect = () => {
    const socket = net.connect(proxy.port, '127.0.0.1');
    const state = { data: '', error: undefined as string | undefined, closed: false };
    socket.on('data', (chunk) => (state.data += chunk.toString()));
    socket.on('error', (error: NodeJS.ErrnoException) => (state.error = error.code));
    const closed = new Promise<void>((resolve) => socket.on('close', () => ((state.closed = true), resolve())));
    return { socket, state, closed };
  };
  const until = async (condition: () => boolean) => {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
  };

  it('forwards both ways', async () => {
    const { socket, state } = connect();
    socket.write('ping');
    await until(() => state.data === 'ping');
    expect(received).toBe('ping');
    socket.destroy();
  });

  it('reset: open connections are reset, new ones too, until restored', async () => {
    const open = connect();
    open.socket.write('a');
    await until(() => open.state.data === 'a');
    proxy.cut('reset');
    await open.closed;
    expect(open.state.error).toBe('ECONNRESET');

    const refused = connect();
    await refused.closed;
    expect(refused.state.error).toBe('ECONNRESET');

    proxy.restore();
    const later = connect();
    later.socket.write('b');
    await until(() => later.state.data === 'b');
    later.socket.destroy();
  });

  it('drop: bytes go nowhere and nothing closes; restore resets the black-holed connection', async () => {
    const open = connect();
    open.socket.write('a');
    await until(() => open.state.data === 'a');
    proxy.cut('drop');
    open.socket.write('lost');
    const fresh = connect();
    fresh.socket.write('also lost');
    // Once the proxy has the bytes and threw them away, the server can never see them.
    await until(() => proxy.discardedBytes === 'lost'.length + 'also lost'.length);
    expect(received).toBe('a');
    expect([open.state.closed, fresh.state.closed]).toEqual([false, false]);

    proxy.restore();
    await Promise.all([open.closed, fresh.closed]);
    expect(open.state.error).toBe('ECONNRESET');
    const later = connect();
    later.socket.write('b');
    await until(() => later.state.data === 'b');
    later.socket.destroy();
  });

  it('cutWhen: the chunk that triggers the cut is not forwarded', async () => {
    const { socket, state, closed } = connect();
    const fired = proxy.cutWhen((chunk, direction) => direction === 'up' && chunk.includes('COMMIT'));
    socket.write('BEGIN');
    await until(() => state.data === 'BEGIN');
    socket.write('COMMIT');
    await fired;
    await closed;
    expect(received).toBe('BEGIN');
    expect(proxy.isCut).toBe(true);
  });
});
