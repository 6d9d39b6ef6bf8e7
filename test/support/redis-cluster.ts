import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

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
    for (let i = 0; i < masters; i++) nodes.push(await startNode(dir, children));
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

/** Tries at most this many port pairs per node. */
const NODE_ATTEMPTS = 5;

/**
 * One cluster-mode redis-server on a pair of free ports. A port free when asked can be taken
 * before the node binds it (another spec file starting servers in the other Jest worker, or an
 * outgoing connection): the node then exits, or another server answers on that port. So a node
 * counts as started only once it answers with its own folder, and is retried on new ports otherwise.
 */
async function startNode(dir: string, children: ChildProcess[]): Promise<RedisClusterNode> {
  for (let attempt = 1; ; attempt++) {
    const [port, busPort] = [await freePort(), await freePort()];
    const nodeDir = join(dir, `${port}-${attempt}`);
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
    const ours = async () => (await cli(port, 'config', 'get', 'dir')).includes(nodeDir);
    const deadline = Date.now() + 15_000;
    while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
      if (await ours().catch(() => false)) return { host: HOST, port, kill: () => kill(child, 'SIGKILL') };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await kill(child, 'SIGKILL');
    if (attempt === NODE_ATTEMPTS) throw new Error(`Redis Cluster: no node started in ${NODE_ATTEMPTS} tries`);
  }
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
