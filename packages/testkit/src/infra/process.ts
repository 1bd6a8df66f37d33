// Small helpers shared by the local Kafka and FerretDB launchers: paths, free ports,
// child processes that never outlive the parent, bounded polling.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root: the nearest ancestor of this file holding pnpm-workspace.yaml. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repoRoot: pnpm-workspace.yaml not found');
    dir = parent;
  }
  return dir;
}

/** Everything downloaded, built or run by the harness lives here (gitignored). */
export function cacheDir(): string {
  return process.env.TALLY_CACHE_DIR ?? join(repoRoot(), '.cache');
}

export function log(msg: string): void {
  process.stderr.write(`[tally-infra] ${msg}\n`);
}

/**
 * Runs `work`, saying `message` only if it is still running after `afterMs` (a cached Go build or Maven
 * resolve finishes in seconds: no need to announce a wait), and how long it took when it was announced.
 */
export async function announceIfSlow<T>(message: string, work: () => Promise<T>, afterMs = 5_000): Promise<T> {
  const t0 = Date.now();
  let announced = false;
  const timer = setTimeout(() => {
    announced = true;
    log(`${message}...`);
  }, afterMs);
  try {
    return await work();
  } finally {
    clearTimeout(timer);
    if (announced) log(`${message}: done in ${Date.now() - t0} ms`);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs a command to completion; rejects with its output on failure. */
export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (e) => reject(new Error(`${cmd}: ${e.message}`)));
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${out.slice(-8000)}`)),
    );
  });
}

export interface Managed {
  child: ChildProcess;
  /** Last lines the process wrote (stdout + stderr), for error messages. */
  output(): string;
  exited(): boolean;
  /** SIGTERM, then SIGKILL after timeoutMs. Resolves once the process is gone. */
  stop(timeoutMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Spawns a long-running server that dies with us: killed on our 'exit', and, if we are
 * SIGKILLed (no 'exit' event), by a tiny detached shell watchdog polling our pid.
 */
export function spawnManaged(
  name: string,
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; /** own process group: a terminal's Ctrl-C does not reach it */ detached?: boolean } = {},
): Managed {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached ?? false });
  let tail = '';
  const keep = (d: Buffer): void => {
    tail = (tail + d.toString()).slice(-16_000);
    if (process.env.TALLY_INFRA_VERBOSE) process.stderr.write(`[${name}] ${d.toString()}`);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let done = false;
  const gone = new Promise<void>((resolve) => {
    child.on('exit', () => {
      done = true;
      live.delete(child);
      resolve();
    });
    child.on('error', (e) => {
      tail += `\nspawn error: ${e.message}`;
      done = true;
      live.delete(child);
      resolve();
    });
  });
  if (child.pid) {
    live.add(child);
    // Only kills the child if *we* are gone while it still runs.
    const script = `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${child.pid} 2>/dev/null; do sleep 1; done; kill -0 ${process.pid} 2>/dev/null || kill -9 ${child.pid} 2>/dev/null`;
    spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
  }
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  return {
    child,
    output: () => tail,
    exited: () => done,
    async stop(timeoutMs = 20_000) {
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** Polls probe() until it resolves true; fails early if the process died, or after timeoutMs. */
export async function waitUntil(
  what: string,
  proc: Managed,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    if (proc.exited()) {
      throw new Error(`${what} exited during startup (code ${proc.child.exitCode}). Output:\n${proc.output()}`);
    }
    try {
      if (await probe()) return;
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() > deadline) {
      await proc.stop(2_000);
      throw new Error(`${what} not ready after ${timeoutMs} ms (last error: ${lastError}). Output:\n${proc.output()}`);
    }
    await sleep(250);
  }
}
