import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { demoCatalog } from '../src/demo';
import { freePortBlock } from '@tally/testkit';

/**
 * `pnpm start:distributed --with-infra` as a user runs it: one process group, as a terminal makes it. A
 * service that is SIGKILLed comes back by itself and the gateway's readiness says so meanwhile; Ctrl-C
 * (SIGINT to the group) stops the services, then Kafka and FerretDB, and exits 0; a second run on the same
 * TALLY_DATA_DIR finds the first run's data.
 */
const brokers = inject('kafkaBrokers');
const repo = new URL('../../../', import.meta.url).pathname;

interface Run {
  child: ChildProcess;
  pids: Record<string, number>;
  url: string;
  output(): string;
  exited: Promise<number | null>;
}


function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `probe` every 100 ms until it holds, for at most `timeoutMs`. */
async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const readyStatus = async (url: string): Promise<number> => (await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(5_000) })).status;

describe.skipIf(brokers.length === 0)('pnpm start:distributed --with-infra', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tally-start-distributed-'));
  let run: Run | undefined;
  let base = 0;

  async function launch(flags: string[]): Promise<Run> {
    base ||= await freePortBlock(20);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TALLY_DATA_DIR: dataDir,
      PORT: String(base),
      GRPC_PORT: String(base + 10),
      HTTP_HOST: '127.0.0.1',
      TALLY_AUTH: 'off',
      TALLY_DEMO: '0',
      LOG_LEVEL: 'warn',
    };
    // the script's own Kafka and FerretDB, not the suite's
    delete env.KAFKA_BROKERS;
    delete env.MONGO_URL;
    const child = spawn('pnpm', ['start:distributed', ...flags], { cwd: repo, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let gone = false;
    void exited.then(() => (gone = true));
    await until('"Tally is running"', () => gone || /Ctrl-C stops everything/.test(out), 300_000);
    if (gone) throw new Error(`start:distributed exited while starting:\n${out.slice(-4000)}`);
    const pids = Object.fromEntries([...out.matchAll(/^ {2}([a-z-]+): pid (\d+),/gm)].map((m) => [m[1]!, Number(m[2])]));
    return { child, pids, url: `http://127.0.0.1:${base}`, output: () => out, exited };
  }

  /** Ctrl-C in a terminal: SIGINT to the whole foreground process group. */
  async function ctrlC(r: Run): Promise<number | null> {
    process.kill(-r.child.pid!, 'SIGINT');
    return Promise.race([r.exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit after Ctrl-C:\n${r.output().slice(-4000)}`)), 60_000))]);
  }

  afterAll(() => {
    if (run && run.child.exitCode === null) process.kill(-run.child.pid!, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('restarts a service that was killed, and /health/ready answers 503 until it is back', async () => {
    run = await launch(['--with-infra']);
    expect(Object.keys(run.pids).sort()).toEqual(['hierarchy-rollup', 'indicator', 'ingestion', 'notification', 'open-data', 'projection']);
    expect(await readyStatus(run.url)).toBe(200);
    const put = await fetch(`${run.url}/api/v1/catalog`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(demoCatalog()) });
    expect(put.status).toBe(201);

    process.kill(run.pids['hierarchy-rollup']!, 'SIGKILL');
    let notReady: { error: { code: string; details: { services: Array<{ name: string; ready: boolean }> } } } | undefined;
    await until(
      'readiness 503 while hierarchy-rollup is missing',
      async () => {
        const r = await fetch(`${run!.url}/health/ready`);
        if (r.status === 503) notReady = (await r.json()) as typeof notReady;
        return notReady !== undefined;
      },
      30_000,
    );
    expect(notReady!.error.code).toBe('UNAVAILABLE');
    expect(notReady!.error.details.services.filter((s) => !s.ready).map((s) => s.name)).toEqual(['hierarchy-rollup']);
    await until('readiness 200 after the restart', async () => (await readyStatus(run!.url)) === 200, 120_000);
    expect(run.output()).toMatch(/hierarchy-rollup exited \(signal SIGKILL\); restarting it in \d+\.\d s/);
    // the launcher's own readiness poll may notice the restarted service a moment after the gateway did
    await until('the launcher reports the restart', () => /hierarchy-rollup is back \(pid \d+, restart 1\)/.test(run!.output()), 10_000);
    const ready = (await (await fetch(`${run.url}/health/ready`)).json()) as { services: Array<{ name: string; restarts: number }> };
    expect(ready.services.find((s) => s.name === 'hierarchy-rollup')?.restarts).toBe(1);
    // rollups answer again through the restarted service
    expect((await fetch(`${run.url}/api/v1/org-units/19?hierarchy=2025`)).status).toBe(200);
  }, 600_000);

  it('stops on Ctrl-C: the services first, then Kafka and FerretDB, exit code 0', async () => {
    const r = run!;
    const code = await ctrlC(r);
    const out = r.output();
    expect(code, out.slice(-4000)).toBe(0);
    const services = out.indexOf('SIGINT: stopping the services');
    const infra = out.indexOf('stopping Kafka and FerretDB');
    expect(services).toBeGreaterThanOrEqual(0);
    expect(infra).toBeGreaterThan(services);
    expect(out.indexOf('[tally] stopped in')).toBeGreaterThan(infra);
    expect(out).not.toMatch(/ECONNREFUSED|ELIFECYCLE/);
    for (const pid of Object.values(r.pids)) expect(isAlive(pid)).toBe(false);
  }, 120_000);

  it('keeps Kafka and FerretDB data under TALLY_DATA_DIR: a second run finds the first run’s catalog', async () => {
    expect(existsSync(join(dataDir, 'infra', 'ports.json'))).toBe(true);
    run = await launch(['--with-infra']);
    const catalog = await fetch(`${run.url}/api/v1/catalog?version=${encodeURIComponent(String((demoCatalog() as { version: string }).version))}`);
    expect(catalog.status).toBe(200);
    expect(await ctrlC(run)).toBe(0);
  }, 600_000);
});
