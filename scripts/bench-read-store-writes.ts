/**
 * The embedded read store's write path alone, shaped like the rollup's batch for one bench report (`pnpm bench`'s
 * 100-value reports): 24 cell-share writes of 240 counters (a new commune share and a district share shared by 8
 * communes, the province's of 63 and VN's, in 6 variant-period pairs), one receipts and one ledger `updateMany`,
 * then `flush()`, as the consumer does. In one process, no HTTP, bus or JIT warm-up of a whole platform: CPU per
 * batch moves far less between runs than the whole bench's, so it compares two versions of the store.
 *
 *   node --import tsx scripts/bench-read-store-writes.ts [batches=1500]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteReadStore, type CounterWrite } from '@tally/readstore';

const batches = Number(process.argv[2] ?? 1500);
const dir = mkdtempSync(join(tmpdir(), 'tally-rs-bench-'));
const store = openSqliteReadStore(join(dir, 'read.db'));
const shares = store.counters('rollup_shares');
const ledger = store.collection('rollup_ledger');
const receipts = store.collection('rollup_receipts');
// 100 elements, every fifth split in two (bench workload): 120 keys, a sum and a count each
const keys = Array.from({ length: 100 }, (_, i) => `BENCH_${String(i).padStart(3, '0')}`).flatMap((k, i) => (i % 5 === 0 ? [`${k}:F`, `${k}:M`] : [k]));

const started = process.cpuUsage();
const wall = performance.now();
for (let r = 0; r < batches; r++) {
  const add: Record<string, number> = {};
  for (const k of keys) {
    add[`sums.${k}`] = (r * 7 + k.length) % 101;
    add[`counts.${k}`] = 1;
  }
  const writes: CounterWrite[] = [];
  for (const unit of [`commune-${r}`, `district-${r >> 3}`, `province-${r % 63}`, 'VN']) {
    for (let variant = 0; variant < 6; variant++) writes.push({ id: `${unit}|${variant}|p0`, fields: { orgUnit: unit, variant }, addAll: [add], guard: r + 1 });
  }
  await shares.write(writes);
  await receipts.updateMany([{ id: `report-${r}`, update: { set: { orgUnit: `commune-${r}`, version: 1 } }, guard: { field: 'version', below: 1 } }]);
  await ledger.updateMany([{ id: `report-${r}`, update: { set: { version: 1, latest: add } }, guard: { field: 'version', below: 1 } }]);
  await store.flush();
}
const cpu = process.cpuUsage(started);
const perBatch = (cpu.user + cpu.system) / 1000 / batches;
process.stdout.write(`${batches} batches: ${perBatch.toFixed(3)} CPU-ms per batch (${((performance.now() - wall) / batches).toFixed(3)} ms wall)\n`);
await store.close();
rmSync(dir, { recursive: true, force: true });
