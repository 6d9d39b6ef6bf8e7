import { createServer } from 'node:net';

/**
 * A loopback port the kernel hands out and that is free when asked. Something else can take it
 * before the caller binds it; whatever starts a server on it must notice (see redis-cluster.ts).
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
