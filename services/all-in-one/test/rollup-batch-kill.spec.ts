import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MARKED_SINCE_EMPTY, readCell, type ApplyDeps } from '@tally/svc-hierarchy-rollup';
import { applyDepsOn, batchApplier, PARTITIONS, PERIOD, pre, workload, type BatchMode } from './fixtures/rollup-batch-workload';

/**
 * The rollup process is SIGKILLed in the middle of a batch's cell write (half the shares written, as a store without
 * transactions can leave them, or every share written but no receipt or ledger yet), then the log is redelivered
 * from the start in batches of another size (a restarted consumer does not see the same batches): every figure of
 * every unit on the reports' paths equals the sum of the reports' final values. Both as applyReportBatch alone and
 * as the service applies batches, with the partitions' share marks (share-marks.ts), which let a batch skip reading
 * the shares' `applied` positions: the killed batch's raised mark must send the redelivery back to reading them.
 */
const CHILD = fileURLToPath(new URL('./fixtures/rollup-batch-kill-child.ts', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function runChild(path: string, batch: number, killAt: number, mode: string, apply: BatchMode): Promise<{ signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path, String(batch), String(killAt), mode, apply], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.on('error', reject);
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve({ signal, out }) : reject(new Error(`child exited without the kill: ${out}${err}`))));
  });
}

/** the sums of the reports' final values on every unit of their paths */
function expectedSums(finals: Map<string, Record<string, number>>): Map<string, Record<string, number>> {
  const expected = new Map<string, Record<string, number>>();
  for (const [commune, values] of finals) {
    for (const u of pre().pathOf(commune)) {
      const e = expected.get(u.code) ?? {};
      for (const [k, v] of Object.entries(values)) e[k] = (e[k] ?? 0) + v;
      expected.set(u.code, e);
    }
  }
  return expected;
}

async function expectExact(deps: ApplyDeps, finals: Map<string, Record<string, number>>): Promise<void> {
  const h = pre();
  const expected = expectedSums(finals);
  expect(expected.size).toBeGreaterThan(finals.size); // communes plus their districts, the province and VN
  for (const [unit, sums] of expected) {
    for (const period of [PERIOD, '2024']) {
      for (const figures of ['latest', 'official'] as const) {
        const cell = await readCell(deps.cells, 'pre2025', figures, unit, period);
        expect({ unit, period, figures, sums: cell.sums }).toEqual({ unit, period, figures, sums });
        if (period === PERIOD) expect(cell.received.T_S).toBe([...finals.keys()].filter((c) => h.pathOf(c).some((u) => u.code === unit)).length);
      }
    }
  }
}

describe('rollup killed in the middle of a batch write', () => {
  for (const apply of ['plain', 'marked'] as const) {
    for (const mode of ['half-cells', 'after-cells'] as const) {
      it(`counts every report exactly once after a SIGKILL (${mode}, ${apply}) and a redelivery in other batches`, async () => {
        const dir = mkdtempSync(join(tmpdir(), 'tally-rollup-kill-'));
        dirs.push(dir);
        const path = join(dir, 'read.db');
        const killed = await runChild(path, 7, 4, mode, apply);
        expect(killed.out).toMatch(/killed in batch 4/);

        // the restarted consumer: everything redelivered from the start, 5 events at a time per partition
        const { store, deps } = applyDepsOn(path);
        const applyBatch = batchApplier(store, apply);
        const { events, finals } = workload();
        for (let p = 0; p < PARTITIONS; p++) {
          const q = events.filter((e) => e.partition === p);
          for (let i = 0; i < q.length; i += 5) await applyBatch(deps, q.slice(i, i + 5), p);
        }
        await expectExact(deps, finals);
        await store.close();
      }, 60_000);
    }
  }
});

describe('share marks', () => {
  it('spare the applied reads of every batch after a partition settled, with the same figures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-rollup-marks-'));
    dirs.push(dir);
    const { store, deps } = applyDepsOn(join(dir, 'read.db'));
    let reads = 0;
    const counting: ApplyDeps = { ...deps, cells: { ...deps.cells, appliedOf: (ids) => (reads++, deps.cells.appliedOf(ids)) } };
    let applyBatch = batchApplier(store, 'marked');
    const { events, finals } = workload();
    let batches = 0;
    for (let p = 0; p < PARTITIONS; p++) {
      // a restart halfway: the partitions not seen yet are known to be empty from the note the first look left
      if (p === PARTITIONS / 2) applyBatch = batchApplier(store, 'marked');
      const q = events.filter((e) => e.partition === p);
      for (let i = 0; i < q.length; i += 4, batches++) await applyBatch(counting, q.slice(i, i + 4), p);
    }
    await expectExact(deps, finals);
    expect(batches).toBeGreaterThan(2 * PARTITIONS);
    // none: a partition's first batch finds no mark, in a store whose every share was written with marks
    expect(reads).toBe(0);
    expect(await store.collection('rollup_progress').get(MARKED_SINCE_EMPTY)).not.toBeNull();

    // a batch that holds an event at or below the settled position that is applied again (a dead letter sent
    // back after a failed write left some shares holding it) reads them, and changes nothing here
    const again = events.filter((e) => e.partition === 0).at(-1)!;
    await store.flush(); // a second connection to the file writes only while the first holds no open group
    const { store: side, deps: fresh } = applyDepsOn(join(dir, 'read.db'));
    await fresh.ledger.delete((again.data as { reportId: string }).reportId);
    await side.close();
    await applyBatch(counting, [again], 0);
    expect(reads).toBe(1);
    await store.close();
  });

  it('read every applied position until a partition passes what a version before the marks left in its shares', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-rollup-marks-'));
    dirs.push(dir);
    const { store, deps } = applyDepsOn(join(dir, 'read.db'));
    const { events, finals } = workload();
    // a version before the marks died after writing the cell shares of a batch holding the first half of every
    // partition (no ledger, no progress, no mark); the marked consumer then gets everything again from the start,
    // in smaller batches
    const ledger = new Proxy(deps.ledger, {
      get: (target, key) => (key === 'updateMany' ? () => Promise.reject(new Error('killed')) : (Reflect.get(target, key) as unknown)),
    });
    const dying: ApplyDeps = { ...deps, ledger };
    const plain = batchApplier(store, 'plain');
    const legacy = new Map<number, number>();
    for (let p = 0; p < PARTITIONS; p++) {
      const q = events.filter((e) => e.partition === p);
      await expect(plain(dying, q.slice(0, Math.ceil(q.length / 2)), p)).rejects.toThrow('killed');
      legacy.set(p, Math.max(...(await deps.cells.find({ partition: p })).map((s) => s.applied)));
    }
    let reads = 0;
    const counting: ApplyDeps = { ...deps, cells: { ...deps.cells, appliedOf: (ids) => (reads++, deps.cells.appliedOf(ids)) } };
    const marked = batchApplier(store, 'marked');
    let expectedReads = 0;
    for (let p = 0; p < PARTITIONS; p++) {
      const q = events.filter((e) => e.partition === p);
      let progress = 0;
      for (let i = 0; i < q.length; i += 4) {
        const batch = q.slice(i, i + 4);
        if (progress < legacy.get(p)!) expectedReads++;
        await marked(counting, batch, p);
        progress = batch.at(-1)!.position;
      }
    }
    await expectExact(deps, finals);
    // every batch until the partition's progress passed the highest position in its shares, none after
    expect(reads).toBe(expectedReads);
    expect(await store.collection('rollup_progress').get(MARKED_SINCE_EMPTY)).toBeNull();
    expect(expectedReads).toBeGreaterThan(PARTITIONS);
    await store.close();
  });
});
