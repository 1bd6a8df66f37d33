import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface KilledChild {
  /** every line the child printed before it died: the writes it saw acknowledged */
  acked: string[];
  signal: NodeJS.Signals | null;
}

/**
 * Runs a TypeScript script in a child process that prints one line per acknowledged write, SIGKILLs it once it
 * has printed `killAfter` lines (or when `timeoutMs` runs out), and returns what it printed. Node runs the script itself (`--import tsx`, not the
 * tsx CLI), so the SIGKILL hits the writing process and not a wrapper.
 */
export function runUntilKilled(
  scriptPath: string,
  args: string[],
  options: { killAfter: number; timeoutMs?: number },
): Promise<KilledChild> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', scriptPath, ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: string[] = [];
    let partial = '';
    let stderr = '';
    let killed = false;
    const kill = () => {
      if (!killed) {
        killed = true;
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(kill, options.timeoutMs ?? 30_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      acked.push(...lines.filter((l) => l !== ''));
      if (acked.length >= options.killAfter) kill();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      // a partial last line is an ack we cannot trust: the process died while printing it
      // killed by us (after `killAfter` acks, or at the timeout on a slow machine) with writes in flight: a valid crash;
      // anything else (the child died on its own, or never acknowledged a write) is a broken fixture
      if (!killed || acked.length === 0) {
        reject(new Error(`child exited (${String(signal ?? _code)}) after ${acked.length} acks:\n${stderr}`));
      } else {
        resolve({ acked, signal });
      }
    });
  });
}
