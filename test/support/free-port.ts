import { createServer } from 'node:net';

/** Below the ephemeral range (Linux 32768–60999, BSD and macOS from 49152). */
const LOWEST = 20_000;
const HIGHEST = 32_000;

/**
 * A loopback port that is free when asked, chosen below the range the kernel hands out for
 * `listen(0)` and outgoing connections: a test that binds it later, or binds it again after a
 * restart, does not find it taken by one of those meanwhile. Another test choosing the same port
 * at the same moment still can; whatever starts a server on it must notice (see redis-cluster.ts).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST));
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (bound) {
      await new Promise((resolve) => server.close(resolve));
      return port;
    }
  }
}
