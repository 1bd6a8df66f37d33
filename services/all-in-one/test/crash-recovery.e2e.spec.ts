import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '@tally/testkit';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoCatalog } from '../src/demo';
import { realRegistry } from './helpers';

/**
 * `pnpm start`'s process is SIGKILLed in the middle of a stream of submissions and started again on the
 * same data directory: every acknowledged report is counted exactly once (no loss, no double count).
 */
const MAIN = new URL('../src/main.ts', import.meta.url).pathname;
const PERIOD = '2026S1';

function startProcess(dataDir: string, port: number): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, TALLY_DATA_DIR: dataDir, PORT: String(port), HTTP_HOST: '127.0.0.1', TALLY_DEMO: '0', LOG_LEVEL: 'error', TALLY_AUTH: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function waitUntilUp(base: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${base} did not come up`);
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((r) => child.once('exit', r));
}

describe('crash recovery (SIGKILL)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tally-crash-'));
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('counts every acknowledged report exactly once after a kill mid-stream', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    child = startProcess(dataDir, port);
    await waitUntilUp(base);
    const put = await fetch(`${base}/api/v1/catalog`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(demoCatalog()) });
    expect(put.status).toBeLessThan(300);

    const communes = realRegistry().get('2025')!.units('commune').slice(0, 400).map((u) => u.code);
    const acked = new Map<string, number>(); // commune -> households sent
    let next = 0;
    let killed = false;
    const sender = async () => {
      while (next < communes.length) {
        const commune = communes[next++]!;
        const households = 100 + (Number(commune) % 50);
        try {
          const r = await fetch(`${base}/api/v1/reports`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ template: 'M1719_S', orgUnit: commune, period: PERIOD, submissionId: `crash-${commune}`, values: [{ dataElement: 'HH_TOTAL', value: households }] }),
          });
          if (r.status === 202) acked.set(commune, households);
        } catch {
          return; // the process died under us
        }
        if (!killed && acked.size >= 120) {
          killed = true;
          child!.kill('SIGKILL');
        }
      }
    };
    await Promise.all([sender(), sender(), sender(), sender()]);
    await exited(child!);
    expect(killed).toBe(true);
    expect(acked.size).toBeGreaterThanOrEqual(120);

    child = startProcess(dataDir, port);
    await waitUntilUp(base);
    // everything the log holds: acknowledged reports, plus any whose answer was lost in the kill. The new process
    // republishes the log into the read models (its relay first waits out the killed one's lease). The report views
    // are listed once they reflect the whole log (`after=` its head; the views follow the log a little behind the
    // rollups, so a list read earlier could miss a report the rollups count), within a minute
    const head = ((await (await fetch(`${base}/api/v1/health`)).json()) as { log: { head: number } }).log.head;
    const someReport = `report-M1719_S-${[...acked.keys()][0]}-${PERIOD}`;
    let views = 0;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline && views !== 200; ) {
      views = (await fetch(`${base}/api/v1/reports/${someReport}?after=${head}`)).status; // 409 NOT_CAUGHT_UP: not yet
    }
    expect(views).toBe(200);
    const listed = (await (await fetch(`${base}/api/v1/reports?limit=1000`)).json()) as Array<{ orgUnit: string; version: number }>;
    const stored = new Set(listed.map((r) => r.orgUnit));
    for (const commune of acked.keys()) expect(stored.has(commune), `acknowledged report of ${commune} lost`).toBe(true);
    expect(listed.every((r) => r.version === 1)).toBe(true);

    const vn = (await (await fetch(`${base}/api/v1/rollups?orgUnit=VN&period=${PERIOD}&after=${head}`)).json()) as {
      dataElements: Record<string, number>;
      completeness: Record<string, { received: number }>;
    };
    if (!vn.completeness?.M1719_S) throw new Error(JSON.stringify(vn));
    const expectedTotal = [...stored].reduce((sum, commune) => sum + 100 + (Number(commune) % 50), 0);
    expect(vn.completeness.M1719_S!.received).toBe(stored.size);
    expect(vn.dataElements.HH_TOTAL).toBe(expectedTotal);
  });
});
