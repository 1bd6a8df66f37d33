import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '@tally/sqlite';
import { slotKey, type ExpectedTotals, type Op, type Workload } from '../workload';

export interface BaselineResult {
  engine: string;
  rows: number;
  closureRows: number;
  bulkInsertSec: number;
  bulkInsertValuesPerSec: number;
  /** one batch GROUP BY over the closure join: every (ancestor, period, element) total */
  batchRollupSec: number;
  aggregateRows: number;
  /** the batch totals agree with the generator's (VN and provinces) */
  correct: boolean;
}

/**
 * The batch way: load the final values into a fresh SQLite file, one row per (org unit, period, element),
 * then regenerate every rollup at once with a GROUP BY over an (ancestor, descendant) closure of the hierarchy.
 */
export function runSqliteBaseline(w: Workload, expected: ExpectedTotals): BaselineResult {
  const dir = mkdtempSync(join(tmpdir(), 'tally-baseline-'));
  const db = new Database(join(dir, 'baseline.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`
      CREATE TABLE "values" (org_unit TEXT NOT NULL, period TEXT NOT NULL, element TEXT NOT NULL, value INTEGER NOT NULL);
      CREATE TABLE closure (ancestor TEXT NOT NULL, descendant TEXT NOT NULL, PRIMARY KEY (descendant, ancestor)) WITHOUT ROWID;
    `);
    // the closure of the whole map (every unit is its own descendant)
    const insertClosure = db.prepare('INSERT INTO closure (ancestor, descendant) VALUES (?, ?)');
    let closureRows = 0;
    db.transaction(() => {
      for (const unit of w.hierarchy.units()) {
        for (const a of w.hierarchy.pathOf(unit.code)) {
          insertClosure.run(a.code, unit.code);
          closureRows++;
        }
      }
    })();

    // the final version of each report (what a batch system would load)
    const latest = new Map<number, Op>();
    for (const op of w.ops) {
      const cur = latest.get(op.report);
      if (!cur || op.version > cur.version) latest.set(op.report, op);
    }
    const keys = w.catalog.slots.map(slotKey);
    const insert = db.prepare('INSERT INTO "values" (org_unit, period, element, value) VALUES (?, ?, ?, ?)');
    let rows = 0;
    const t0 = performance.now();
    db.transaction(() => {
      for (const op of latest.values()) {
        const unit = w.reports[op.report]!;
        for (let i = 0; i < keys.length; i++) {
          insert.run(unit, w.period, keys[i]!, op.values[i]!);
          rows++;
        }
      }
    })();
    const bulkInsertSec = (performance.now() - t0) / 1000;

    const t1 = performance.now();
    db.exec(`
      CREATE TABLE analytics AS
        SELECT c.ancestor AS org_unit, v.period AS period, v.element AS element, SUM(v.value) AS value
        FROM "values" v JOIN closure c ON c.descendant = v.org_unit
        GROUP BY c.ancestor, v.period, v.element;
    `);
    const batchRollupSec = (performance.now() - t1) / 1000;
    const aggregateRows = (db.prepare('SELECT COUNT(*) AS n FROM analytics').get() as { n: number }).n;

    // the batch result must agree too (slot keys; element totals of disaggregated elements are not in the table)
    const read = db.prepare('SELECT element, value FROM analytics WHERE org_unit = ?');
    let correct = true;
    for (const [unit, want] of [['VN', expected.national] as const, ...Object.entries(expected.byProvince)]) {
      const got = new Map((read.all(unit) as Array<{ element: string; value: number }>).map((r) => [r.element, r.value]));
      for (const k of keys) if (k in want && got.get(k) !== want[k]) correct = false;
    }
    return {
      engine: `sqlite ${(db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v} (better-sqlite3)`,
      rows,
      closureRows,
      bulkInsertSec,
      bulkInsertValuesPerSec: rows / Math.max(bulkInsertSec, 1e-9),
      batchRollupSec,
      aggregateRows,
      correct,
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
