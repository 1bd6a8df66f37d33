import { spawn } from 'node:child_process';

/**
 * spawnSync's result, without blocking the test worker: a worker whose event loop is blocked for a minute
 * misses vitest's RPC deadline ("Timeout calling onTaskUpdate") and fails the run although every test passed.
 */
export function spawnAsync(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number; encoding?: 'utf8' },
): Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = options.timeout ? setTimeout(() => child.kill('SIGKILL'), options.timeout) : null;
    child.on('error', reject);
    child.on('close', (status, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}
