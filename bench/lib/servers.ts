/** The processes a benchmark run starts: the built service, the bare reference app, and their clean-up. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Server {
  name: string;
  base: string;
  pid: number;
  stop(): Promise<void>;
}

/** A port the kernel just handed out and released: free unless something grabs it in between. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Starts `node script` with only the given environment (nothing of the caller's DATABASE_URL
 * or REDIS_URL leaks in) and waits until `healthPath` answers 200. stdout, where the service
 * logs, goes to /dev/null; the last lines of stderr are kept for the error when it dies.
 */
export async function startServer(
  name: string,
  script: string,
  env: Record<string, string>,
  healthPath: string,
  nodeArgs: string[] = [],
): Promise<Server> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, script], {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let alive = true;
  void exited.then(() => (alive = false));
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (alive) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  // Up to two minutes: the embedded database migrates at start, slowly on a busy machine.
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (!alive) throw new Error(`${name} exited during start-up:\n${stderr}`);
    try {
      if ((await fetch(base + healthPath)).ok) return { name, base, pid: child.pid!, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error(`${name} did not answer ${healthPath} within two minutes:\n${stderr}`);
}

/** Resident set size of a process in MiB (Linux /proc), undefined once it is gone. */
export function residentMiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Linux reports a process's CPU time in clock ticks of USER_HZ, which is 100 on every architecture. */
const USER_HZ = 100;

/**
 * CPU time a process has used so far, in microseconds: user plus system, all its threads, those
 * that have ended included (Linux /proc); undefined once it is gone or elsewhere.
 */
export function cpuMicros(pid: number): number | undefined {
  try {
    // The command name in parentheses may hold spaces: the fields are counted after it.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime and stime, fields 14 and 15
    return Number.isFinite(ticks) ? (ticks * 1_000_000) / USER_HZ : undefined;
  } catch {
    return undefined;
  }
}
