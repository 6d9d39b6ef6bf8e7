import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** SIGTERM, then the exit result. */
  stop(): Promise<ExitResult>;
}

/** The real entry point (`src/main.ts`) in a child process, with only the given variables set. */
function spawnMain(env: Record<string, string>): { child: ChildProcess; exited: Promise<ExitResult> } {
  // Without a DATA_DIR of the test's, one of the process's own: never the repository's ./data.
  const ownDataDir = env.DATA_DIR ? undefined : mkdtempSync(join(tmpdir(), 'nda-process-'));
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', join(root, 'src', 'main.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LOG_LEVEL: 'info',
      PORT: '0',
      ...(ownDataDir ? { DATA_DIR: ownDataDir } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<ExitResult>((resolve) =>
    child.on('exit', (code, signal) => {
      if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, exited };
}

/** Runs the service until it exits by itself (a start-up failure). */
export async function runUntilExit(env: Record<string, string>, timeoutMs = 20_000): Promise<ExitResult> {
  const { child, exited } = spawnMain(env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts the service and resolves once it listens (it logs its URL). The limit is for a start
 * on a loaded machine (TypeScript compiled on the fly, the embedded database's first start,
 * other suites' instances on the same cores); one that misses it is killed.
 */
export async function startServer(env: Record<string, string>, timeoutMs = 60_000): Promise<ServerProcess> {
  const { child, exited } = spawnMain(env);
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${timeoutMs} ms; its output: ${seen.slice(-2_000)}`));
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /API on (http:\/\/[^\s/]+)/.exec(seen);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((result) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${result.code}: ${result.stderr}`));
    });
  });
  return {
    url,
    child,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
