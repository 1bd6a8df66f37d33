import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../infra/ports';
import { repoRoot, sleep } from '../infra/process';
import { HttpClient, loginIfNeeded } from './http';

/**
 * What the bench drives: a base URL, the processes to sample, and (for chaos) a way to kill and restart them.
 * Embedded: one all-in-one process (here). Distributed: the six services of the launcher (distributed.ts).
 */
export interface Target {
  mode: 'embedded' | 'distributed';
  baseUrl: string;
  client: HttpClient;
  /** the processes whose RSS is sampled, by name */
  processes(): Array<{ name: string; pid: number }>;
  /** SIGKILLs one process (chaos); returns its pid */
  kill(name?: string): number;
  /** starts what was killed again and waits until it answers */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** last lines the platform printed (for error messages) */
  output(): string;
}

export interface StartOptions {
  /** keep the data directory after stop (default: removed) */
  keepData?: boolean;
  logLevel?: string;
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
}

interface Child {
  proc: ChildProcess;
  tail: string;
  exited: boolean;
}

/**
 * Where the platform is run from: this checkout, or TALLY_BENCH_PLATFORM_ROOT (another checkout with its
 * node_modules, e.g. to measure an older commit with this bench).
 */
export function platformRoot(): string {
  return process.env.TALLY_BENCH_PLATFORM_ROOT || repoRoot();
}

/**
 * Node flags for the platform process only, from TALLY_BENCH_PLATFORM_NODE_ARGS (space-separated), e.g.
 * `--cpu-prof --cpu-prof-interval=500 --cpu-prof-dir=/tmp/prof`: flags node refuses in NODE_OPTIONS (such as
 * `--cpu-prof`) are accepted here. The profile is written when the platform exits on the bench's SIGTERM.
 */
function platformNodeArgs(): string[] {
  return (process.env.TALLY_BENCH_PLATFORM_NODE_ARGS ?? '').split(/\s+/).filter((a) => a !== '');
}

/** Starts `node --import tsx <script>` (node itself, not the tsx wrapper, so the pid is the server's). */
function spawnNode(script: string, env: NodeJS.ProcessEnv): Child {
  const proc = spawn(process.execPath, [...platformNodeArgs(), '--import', 'tsx', script], { cwd: platformRoot(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  const child: Child = { proc, tail: '', exited: false };
  const keep = (d: Buffer): void => {
    child.tail = (child.tail + d.toString()).slice(-16_000);
    if (process.env.TALLY_BENCH_VERBOSE) process.stderr.write(d);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  proc.on('exit', () => (child.exited = true));
  if (proc.pid) {
    // if the bench itself is SIGKILLed, do not leave the platform running
    const script = `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${proc.pid} 2>/dev/null; do sleep 1; done; kill -0 ${process.pid} 2>/dev/null || kill -9 ${proc.pid} 2>/dev/null`;
    spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
  }
  return child;
}

async function waitReady(client: HttpClient, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exited) throw new Error(`the platform exited during startup (code ${child.proc.exitCode}):\n${child.tail}`);
    try {
      const r = await client.request('GET', '/health/ready', undefined, 2_000);
      if (r.status === 200) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`the platform did not answer /health/ready within ${timeoutMs} ms:\n${child.tail}`);
    await sleep(100);
  }
}

function killHard(child: Child): Promise<void> {
  if (child.exited) return Promise.resolve();
  return new Promise((resolve) => {
    child.proc.once('exit', () => resolve());
    child.proc.kill('SIGKILL');
  });
}

/** The all-in-one process on a fresh temporary data directory and a free port; no demo data. */
export async function startEmbeddedTarget(options: StartOptions = {}): Promise<Target & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tally-bench-'));
  const port = await freePort();
  const password = process.env.TALLY_ADMIN_PASSWORD ?? randomBytes(12).toString('hex');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HTTP_HOST: '127.0.0.1',
    TALLY_DATA_DIR: dataDir,
    TALLY_DEMO: '0',
    // the deadline check runs on the real calendar: the bench's reporting day is not the day it runs on
    TALLY_DEADLINE_CHECK_MS: '0',
    TALLY_MODE: 'embedded',
    TALLY_ADMIN_PASSWORD: password,
    LOG_LEVEL: options.logLevel ?? process.env.TALLY_BENCH_LOG_LEVEL ?? 'warn',
    // node options for the platform process only (not the bench); `--cpu-prof` goes in TALLY_BENCH_PLATFORM_NODE_ARGS
    ...(process.env.TALLY_BENCH_PLATFORM_NODE_OPTIONS ? { NODE_OPTIONS: process.env.TALLY_BENCH_PLATFORM_NODE_OPTIONS } : {}),
    ...options.env,
  };
  const script = 'services/all-in-one/src/main.ts';
  const baseUrl = `http://127.0.0.1:${port}`;
  const client = new HttpClient(baseUrl);
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  let child = spawnNode(script, env);
  const boot = async () => {
    await waitReady(client, child, readyTimeoutMs);
    await loginIfNeeded(client, password);
  };
  try {
    await boot();
  } catch (e) {
    await killHard(child);
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  return {
    mode: 'embedded',
    baseUrl,
    client,
    dataDir,
    processes: () => (child.exited || !child.proc.pid ? [] : [{ name: 'all-in-one', pid: child.proc.pid }]),
    kill() {
      const pid = child.proc.pid ?? -1;
      child.proc.kill('SIGKILL');
      return pid;
    },
    async restart() {
      await killHard(child);
      child = spawnNode(script, env);
      await boot();
    },
    async stop() {
      if (!child.exited) {
        const gone = new Promise<void>((resolve) => child.proc.once('exit', () => resolve()));
        child.proc.kill('SIGTERM');
        const timer = setTimeout(() => child.proc.kill('SIGKILL'), 20_000);
        await gone;
        clearTimeout(timer);
      }
      client.close();
      if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
    output: () => child.tail,
  };
}

/** The target cannot run here (missing infrastructure): the bench says so and exits 2. */
export class TargetUnavailable extends Error {}
