import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const root = join(import.meta.dirname, '..', '..');

/** The nginx binary, or undefined when it is not installed. */
export function findNginx(): string | undefined {
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'])
    if (existsSync(candidate)) return candidate;
  const which = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() || undefined : undefined;
}

/** How long nginx skips an instance after it failed (passive health check). */
export const FAIL_TIMEOUT_MS = 5000;

/**
 * The part of the configuration an operator copies: the upstream of N instances and the server
 * that proxies to them. docs/deployment.md shows this for three instances on 10.0.0.11–13 and
 * test/load-balancer.e2e-spec.ts checks it is the same text.
 */
export function nginxSite(options: { upstreams: string[]; listen: string }): string {
  const servers = options.upstreams
    .map((address) => `    server ${address} max_fails=1 fail_timeout=${FAIL_TIMEOUT_MS / 1000}s;`)
    .join('\n');
  return `upstream nest_dual_auth {
${servers}
    # Idle connections kept open to the instances. nginx must close an idle one before the
    # instance does (Node's keep-alive timeout is 5 s), or a request sent on a connection the
    # instance is closing fails.
    keepalive 32;
    keepalive_timeout 4s;
}

server {
    listen ${options.listen};

    location / {
        proxy_pass http://nest_dual_auth;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        # Overwrite, never append: a client's own X-Forwarded-For would otherwise reach the
        # instances, which trust one hop (TRUST_PROXY=1) and must see nginx's view of the client.
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Forwarded-Proto $scheme;
        # Passive health checks: an instance that refuses connections or answers 502/503 is
        # skipped for fail_timeout. GET and HEAD move on to the next instance; a POST already
        # sent is never repeated (nginx's default without non_idempotent), it may have been done.
        proxy_next_upstream error timeout http_502 http_503;
        proxy_next_upstream_tries 3;
        proxy_connect_timeout 2s;
        proxy_read_timeout 30s;
    }
}
`;
}

/** Which instance served a request: one access-log line per request, tab-separated. */
const LOG_FORMAT = `log_format upstream '$upstream_addr\\t$status\\t$request_method\\t$request_uri\\t$upstream_http_x_request_id';`;

export interface AccessLogLine {
  /** Every instance tried, in order (`a, b` when nginx moved on from a). */
  upstreams: string[];
  status: number;
  method: string;
  uri: string;
  requestId: string;
}

export interface Nginx {
  url: string;
  /** The instances' addresses, as in the upstream block. */
  upstreams: string[];
  accessLog(): AccessLogLine[];
  /** nginx's error log: why it answered 502 when it did (which upstream error). */
  errorLog(): string;
  stop(): Promise<void>;
}

/**
 * nginx in the foreground (`daemon off`) with everything it writes in a temporary folder: the
 * configuration, pid, logs and temp paths. Listens on a free loopback port; `stop` ends it.
 */
export async function startNginx(binary: string, upstreams: string[]): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'nda-nginx-'));
  const port = await freePort();
  const prefix = join(dir, 'prefix');
  mkdirSync(join(prefix, 'logs'), { recursive: true });
  const site = nginxSite({ upstreams, listen: `127.0.0.1:${port}` })
    .replace(/^/gm, '    ')
    .replace(/^ +$/gm, '');
  const config = `daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
${process.getuid?.() === 0 ? 'user root;\n' : ''}events {
    worker_connections 4096;
}

http {
    ${LOG_FORMAT}
    access_log ${dir}/access.log upstream;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;

${site}}
`;
  const configFile = join(dir, 'nginx.conf');
  writeFileSync(configFile, config);
  const args = ['-p', prefix, '-c', configFile];
  const test = spawnSync(binary, [...args, '-t'], { encoding: 'utf8' });
  if (test.status !== 0) throw new Error(`nginx refused its configuration: ${test.stderr}`);

  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await fetch(`${url}/api/health`).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    upstreams,
    accessLog: () =>
      readFileSync(join(dir, 'access.log'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [upstream = '', status = '', method = '', uri = '', requestId = ''] = line.split('\t');
          return {
            upstreams: upstream.split(/\s*,\s*|\s+:\s+/).filter(Boolean),
            status: Number(status),
            method,
            uri,
            requestId,
          };
        }),
    errorLog: () => readFileSync(join(dir, 'error.log'), 'utf8'),
    stop: async () => {
      // SIGQUIT: nginx's graceful stop (finishes what it is serving).
      child.kill('SIGQUIT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The service as deployed: `tsc -p tsconfig.build.json` into a temporary folder (tests never
 * write into the repository), with `node_modules` reachable through a symlink. Returns the
 * folder holding `dist/main.js`; `remove` deletes it.
 */
export async function buildService(): Promise<{ dir: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'nda-build-'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'package.json'), readFileSync(join(root, 'package.json')));
  await promisify(execFile)(
    process.execPath,
    [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(root, 'tsconfig.build.json'),
      '--outDir',
      join(dir, 'dist'),
      '--sourceMap',
      'false',
    ],
    { cwd: root },
  );
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
