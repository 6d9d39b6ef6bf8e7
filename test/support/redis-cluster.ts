import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HOST = '127.0.0.1';

export interface RedisClusterNode {
  host: string;
  port: number;
  /** Stops this node's redis-server (SIGKILL, as a crashed machine): for outage tests. */
  kill(): Promise<void>;
}

/** A Redis Cluster of `redis-server` processes on loopback ports, for one spec file. */
export interface RedisCluster {
  nodes: RedisClusterNode[];
  /** What the app gets as REDIS_CLUSTER_NODES. */
  nodesEnv: string;
  stop(): Promise<void>;
}

/** A port nobody listens on now (the kernel's pick); the node binds it a moment later. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, HOST, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function cli(port: number, ...args: string[]): Promise<string> {
  return (await run('redis-cli', ['-h', HOST, '-p', String(port), ...args])).stdout;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Redis Cluster: ${what} not within ${timeoutMs} ms`);
}

/**
 * Starts `masters` redis-servers with cluster mode on free loopback ports in a temporary folder
 * (no persistence), joins them with `redis-cli --cluster create` (no replicas) and waits until
 * every node reports `cluster_state:ok`. Never touches the shared Redis on 6379.
 */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  for (const tool of ['redis-server', 'redis-cli']) {
    await run('sh', ['-c', `command -v ${tool}`]).catch(() => {
      throw new Error(`${tool} is not installed: the Redis Cluster specs need redis-server and redis-cli on PATH`);
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'nda-redis-cluster-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => kill(child, 'SIGTERM')));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const nodes: RedisClusterNode[] = [];
    for (let i = 0; i < masters; i++) {
      const [port, busPort] = [await freePort(), await freePort()];
      const nodeDir = join(dir, String(port));
      mkdirSync(nodeDir);
      const child = spawn(
        'redis-server',
        [
          '--bind',
          HOST,
          '--port',
          String(port),
          '--cluster-enabled',
          'yes',
          '--cluster-port',
          String(busPort),
          '--cluster-config-file',
          'nodes.conf',
          // A lost master is noticed in seconds, not the default 15 s: the outage test waits for it.
          '--cluster-node-timeout',
          '2000',
          '--dir',
          nodeDir,
          '--save',
          '',
          '--appendonly',
          'no',
          '--loglevel',
          'warning',
        ],
        { stdio: 'ignore' },
      );
      children.push(child);
      nodes.push({ host: HOST, port, kill: () => kill(child, 'SIGKILL') });
    }
    for (const { port } of nodes)
      await until(`node ${port} answering`, async () => (await cli(port, 'ping')).trim() === 'PONG');
    await run('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map(({ port }) => `${HOST}:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (const { port } of nodes) {
      await until(`node ${port} in state ok`, async () =>
        (await cli(port, 'cluster', 'info')).includes('cluster_state:ok'),
      );
    }
    return { nodes, nodesEnv: nodes.map(({ host, port }) => `${host}:${port}`).join(','), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
