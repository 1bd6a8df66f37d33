import { RetryableError } from '@tally/contracts';
import {
  addFoldDelta,
  coarserPeriods,
  deadlineFor,
  foldUnit,
  isoDateOf,
  parsePeriod,
  splitByPath,
  tierOf,
  type AggregationType,
  type Catalog,
  type Hierarchy,
} from '@tally/core';
import type { Collection, Scalar } from '@tally/readstore';
import type { CellShares } from './cell-shares';
import { DEADLINE_UTC_OFFSET_MINUTES, type PathUnit } from './apply-report-event';
import { cellKey, HIERARCHY_SHARE, pathKeyOf, shareId, type FiguresVariant, type FoldDoc, type LedgerDoc, type RollupCellDoc } from './rollup-cells';


export interface MoveDeps {
  cells: CellShares;
  ledger: Collection<LedgerDoc>;
  folds: Collection<FoldDoc>;
  catalogVersion: (version: string) => Promise<Catalog | undefined>;
  /** for ledger entries written before they recorded their catalog version */
  catalogForDate?: (date: string) => Promise<Catalog | undefined>;
}

export interface MoveSummary {
  /** reporting units whose path changed and that have reports */
  units: number;
  reports: number;
  /** cell shares written (the hierarchy share plus the partition shares whose MIN/MAX entries changed) */
  shares: number;
}

const VARIANTS: FiguresVariant[] = ['latest', 'estimate', 'official'];
const codes = (path: readonly PathUnit[]): string => path.map((u) => u.code).join('>');
const pathIn = (h: Hierarchy, code: string): PathUnit[] => h.pathOf(code).map((u) => ({ code: u.code, levelIndex: h.levelIndex(u.level) }));

/**
 * Makes the rollups follow one hierarchy change (at `position`) for the data already rolled up: every report
 * of a unit whose path differs between `before` and `after` (a moved unit and its subtree; the children of
 * merged units; the children a split assigns to a part) is retracted from the ancestors it leaves and added to
 * the ancestors it joins, per figures variant and period, from its ledger entry (its contribution per variant,
 * its receipt times: received, on time per tier, estimate), plus the unit's folded values (AVERAGE, LAST, ...)
 * from its fold documents; its ledger path becomes the new one (its later amendments go there). MIN/MAX: the
 * moved unit's entry leaves its old parent's shares and joins its new parent's, and the ancestors' entries are
 * recomputed bottom-up (set semantics, in the partitions' own shares). Sums, counts, folded values, received,
 * on-time and estimate counts go to the hierarchy share (HIERARCHY_SHARE) of each cell, in one write
 * guarded by `position`; then the extremes; then the ledger paths. Re-running it (a crash, a redelivered change)
 * recomputes the same deltas (the ledger paths are written last) and the guard skips shares already written.
 *
 * It must not run concurrently with the report consumers (the service holds an exclusive lock), and every report
 * must already sit on its ledger path; a unit's reports all share one path. Cost: O(units whose path changes)
 * ledger queries, O(their reports × values × depth × periods) work and O(affected ancestors × periods × variants)
 * documents — proportional to the moved subtree's data, never to the rest of the map.
 */
export async function applyHierarchyChange(
  deps: MoveDeps,
  change: { hierarchy: string; position: number; before: Hierarchy; after: Hierarchy },
): Promise<MoveSummary> {
  const { hierarchy, position, before, after } = change;
  const summary: MoveSummary = { units: 0, reports: 0, shares: 0 };
  const { affected, roots } = unitsWhosePathChanged(before, after);
  if (affected.length === 0) return summary;

  const inc = new HierarchyShareIncrements(hierarchy);
  const pathUpdates: Array<{ id: string; path: PathUnit[] }> = [];
  const foldMoves: Array<{ id: string; from: string; to: string }> = [];
  for (const unit of affected) {
    const newPath = pathIn(after, unit);
    const reports = (await deps.ledger.find({ hierarchy, orgUnit: unit })).filter((l) => l.path && codes(l.path) !== codes(newPath));
    if (reports.length === 0) continue;
    summary.units++;
    summary.reports += reports.length;
    const oldPath = reports[0]!.path!;
    const moves = pathMoves(oldPath, newPath);
    const { foldCells, aggregationOf } = await moveReportContributions(deps, reports, moves, inc);
    for (const l of reports) pathUpdates.push({ id: l._id, path: newPath });
    foldMoves.push(...(await moveUnitFolds(deps, { hierarchy, unit, oldPath, newPath, foldCells, moves, aggregationOf }, inc)));
  }

  const writes = inc.writes(position);
  if (writes.length > 0) await deps.cells.write(writes);
  summary.shares += writes.length;
  summary.shares += await moveExtremes(deps.cells, hierarchy, before, after, roots);
  // after the cells (a crash before this point recomputes the same moves; the cells' guard skips what was written)
  for (const f of foldMoves) await moveFoldPart(deps.folds, f);
  for (const u of pathUpdates) await deps.ledger.update(u.id, { set: { path: u.path } });
  return summary;
}

/** Units on both maps whose path changed; roots: those whose parent changed (MIN/MAX entries are per child). */
function unitsWhosePathChanged(before: Hierarchy, after: Hierarchy): { affected: string[]; roots: string[] } {
  const affected: string[] = [];
  const roots: string[] = [];
  for (const u of after.units()) {
    const old = before.get(u.code);
    if (!old) continue;
    if (old.parentCode !== u.parentCode) roots.push(u.code);
    if (codes(pathIn(before, u.code)) !== codes(pathIn(after, u.code))) affected.push(u.code);
  }
  return { affected, roots };
}

/** The ancestors a unit leaves (retracted: sign -1) and joins (added: sign +1), with the unit's own level index on each path. */
type PathMove = { units: PathUnit[]; sign: 1 | -1; leaf: number };
function pathMoves(oldPath: PathUnit[], newPath: PathUnit[]): PathMove[] {
  const newCodes = new Set(newPath.map((u) => u.code));
  const oldCodes = new Set(oldPath.map((u) => u.code));
  return [
    { units: oldPath.filter((u) => !newCodes.has(u.code)), sign: -1, leaf: oldPath[oldPath.length - 1]!.levelIndex },
    { units: newPath.filter((u) => !oldCodes.has(u.code)), sign: 1, leaf: newPath[newPath.length - 1]!.levelIndex },
  ];
}

/** Increments of each cell's hierarchy share (HIERARCHY_SHARE), collected per share and written at once. */
class HierarchyShareIncrements {
  private readonly ops = new Map<string, { meta: Record<string, Scalar>; inc: Record<string, number> }>();
  constructor(private readonly hierarchy: string) {}

  add(figures: FiguresVariant, unit: string, period: string, field: string, d: number): void {
    if (d === 0) return;
    const cell = cellKey(this.hierarchy, figures, unit, period);
    const id = shareId(cell, HIERARCHY_SHARE);
    let op = this.ops.get(id);
    if (!op) this.ops.set(id, (op = { meta: { cell, hierarchy: this.hierarchy, figures, orgUnit: unit, period, partition: HIERARCHY_SHARE }, inc: {} }));
    op.inc[field] = (op.inc[field] ?? 0) + d;
  }

  /** The writes, each guarded by the change's position (a re-run skips shares already written). */
  writes(position: number) {
    return [...this.ops].map(([id, op]) => ({ id, fields: op.meta, add: op.inc, guard: position }));
  }
}

/**
 * Each report's contribution (sums, counts, estimates, received, on time per tier) leaves the old ancestors and
 * joins the new ones, per figures variant and period. Returns the fold cells the reports touch and how to tell a
 * value's aggregation type (from the last report's catalog).
 */
async function moveReportContributions(
  deps: MoveDeps,
  reports: LedgerDoc[],
  moves: PathMove[],
  inc: HierarchyShareIncrements,
): Promise<{ foldCells: Set<string>; aggregationOf: (key: string) => AggregationType | undefined }> {
  let aggregationOf: (key: string) => AggregationType | undefined = () => undefined;
  const foldCells = new Set<string>();
  for (const l of reports) {
    const catalog = (l.catalogVersion ? await deps.catalogVersion(l.catalogVersion) : undefined) ?? (await deps.catalogForDate?.(parsePeriod(l.period)?.endDate ?? l.period));
    if (!catalog) throw new Error(`no catalog for report ${l._id}: cannot tell its aggregation types`);
    const elements = new Map(catalog.dataElements.map((e) => [e.code, e]));
    aggregationOf = (key) => elements.get(key.split(':', 1)[0] as string)?.aggregation;
    const template = catalog.templates.find((t) => t.code === l.template);
    const periods = [l.period, ...coarserPeriods(l.period)];
    for (const figures of VARIANTS) {
      const contribution = l[figures];
      const firstAt = l.firstAt?.[figures];
      const sums = splitByPath(contribution, aggregationOf).sum;
      if (contribution) for (const P of periods) foldCells.add(`${figures}|${P}`);
      for (const m of moves) {
        for (const u of m.units) {
          for (const P of periods) {
            for (const [k, v] of Object.entries(sums)) {
              inc.add(figures, u.code, P, `sums.${k}`, m.sign * v);
              inc.add(figures, u.code, P, `counts.${k}`, m.sign);
            }
            if (figures === 'latest' && l.latestFigures === 'estimate') inc.add(figures, u.code, P, 'estimates', m.sign);
          }
          if (firstAt === undefined) continue;
          inc.add(figures, u.code, l.period, `received.${l.template}`, m.sign);
          const due = template ? deadlineFor(l.period, template.deadlineDaysAfterPeriodEnd, tierOf(m.leaf, u.levelIndex)) : null;
          if (due !== null && isoDateOf(firstAt, DEADLINE_UTC_OFFSET_MINUTES) <= due) inc.add(figures, u.code, l.period, `onTime.${l.template}`, m.sign);
        }
      }
    }
  }
  return { foldCells, aggregationOf };
}

/**
 * The unit's folded values (AVERAGE, LAST, ...): the part written to the old path's cells moves to the new
 * ancestors (or, for a fold document from before per-path parts were kept, the whole fold). Returns the fold
 * documents whose part moves from the old path key to the new one (written after the cells).
 */
async function moveUnitFolds(
  deps: MoveDeps,
  at: { hierarchy: string; unit: string; oldPath: PathUnit[]; newPath: PathUnit[]; foldCells: Set<string>; moves: PathMove[]; aggregationOf: (key: string) => AggregationType | undefined },
  inc: HierarchyShareIncrements,
): Promise<Array<{ id: string; from: string; to: string }>> {
  const oldKey = pathKeyOf(at.oldPath);
  const newKey = pathKeyOf(at.newPath);
  const foldMoves: Array<{ id: string; from: string; to: string }> = [];
  const spread = (figures: FiguresVariant, P: string, field: string, d: number) => {
    for (const m of at.moves) for (const u of m.units) inc.add(figures, u.code, P, field, m.sign * d);
  };
  for (const fc of at.foldCells) {
    const [figures, P] = fc.split('|') as [FiguresVariant, string];
    const foldId = `${at.hierarchy}|${figures}|${at.unit}|${P}`;
    const doc = await deps.folds.get(foldId);
    if (doc?.paths) {
      const part = doc.paths[oldKey];
      if (!part) continue;
      for (const [k, v] of Object.entries(part.usums)) spread(figures, P, `usums.${k}`, v);
      for (const [k, n] of Object.entries(part.units)) spread(figures, P, `units.${k}`, n);
      foldMoves.push({ id: foldId, from: oldKey, to: newKey });
      continue;
    }
    const entries = Object.fromEntries(Object.entries(doc?.reports ?? {}).filter(([, e]) => Object.keys(e.values).length > 0).map(([r, e]) => [r, { end: e.end, values: e.values }]));
    const keys = new Set(Object.values(entries).flatMap((e) => Object.keys(e.values)));
    for (const k of keys) {
      const f = foldUnit(entries, k, at.aggregationOf(k) ?? 'SUM');
      if (f === null) continue;
      spread(figures, P, `usums.${k}`, f);
      spread(figures, P, `units.${k}`, 1);
    }
  }
  return foldMoves;
}

/**
 * MIN/MAX follow the roots (units whose parent changed), within each partition share: the root's entry is unset
 * at its old parent and set at its new one, then every ancestor on both paths (deepest first) sets its own
 * entry in its parent from its entries. Absolute values recomputed from the shares below: re-running is harmless.
 */
async function moveExtremes(cells: CellShares, hierarchy: string, before: Hierarchy, after: Hierarchy, roots: string[]): Promise<number> {
  const work = new Map<string, { mins: Record<string, Record<string, number>>; maxs: Record<string, Record<string, number>>; meta: Record<string, Scalar> }>();
  const ops = new Map<string, { set: Record<string, number>; unset: Set<string> }>();
  const load = async (unit: string, s: RollupCellDoc) => {
    const cell = cellKey(hierarchy, s.figures, unit, s.period);
    const id = shareId(cell, s.partition);
    let w = work.get(id);
    if (!w) {
      const doc = await cells.get(id);
      w = {
        mins: structuredClone(doc?.mins ?? {}),
        maxs: structuredClone(doc?.maxs ?? {}),
        meta: { cell, hierarchy, figures: s.figures, orgUnit: unit, period: s.period, partition: s.partition },
      };
      work.set(id, w);
    }
    return { id, w };
  };
  const put = async (unit: string, s: RollupCellDoc, field: 'mins' | 'maxs', key: string, contributor: string, value: number | undefined) => {
    const { id, w } = await load(unit, s);
    const entries = (w[field][key] ??= {});
    if (value === undefined && entries[contributor] === undefined) return;
    if (value !== undefined && entries[contributor] === value) return;
    let op = ops.get(id);
    if (!op) ops.set(id, (op = { set: {}, unset: new Set() }));
    const path = `${field}.${key}.${contributor}`;
    if (value === undefined) {
      delete entries[contributor];
      delete op.set[path];
      op.unset.add(path);
    } else {
      entries[contributor] = value;
      op.unset.delete(path);
      op.set[path] = value;
    }
  };
  const extremeOf = (field: 'mins' | 'maxs', entries: Record<string, number> | undefined): number | undefined => {
    const values = Object.values(entries ?? {});
    return values.length === 0 ? undefined : field === 'mins' ? Math.min(...values) : Math.max(...values);
  };
  for (const root of roots) {
    const oldParent = before.get(root)?.parentCode ?? null;
    const newParent = after.get(root)?.parentCode ?? null;
    const shares = (await cells.find({ hierarchy, orgUnit: root })).filter((s) => s.partition !== HIERARCHY_SHARE && (Object.keys(s.mins ?? {}).length > 0 || Object.keys(s.maxs ?? {}).length > 0));
    // the ancestors to recompute, deepest first (a unit on both paths once)
    const dirty = new Map<string, number>();
    for (const u of [...before.ancestorsOf(root), ...after.ancestorsOf(root)]) dirty.set(u.code, after.has(u.code) ? after.levelIndex(u.level) : before.levelIndex(u.level));
    const order = [...dirty].sort((a, b) => b[1] - a[1]).map(([c]) => c);
    for (const s of shares) {
      for (const field of ['mins', 'maxs'] as const) {
        for (const [key, entries] of Object.entries(s[field] ?? {})) {
          const value = extremeOf(field, entries);
          if (oldParent && oldParent !== newParent) await put(oldParent, s, field, key, root, undefined);
          if (newParent) await put(newParent, s, field, key, root, value);
          for (const unit of order) {
            const parent = after.has(unit) ? after.get(unit)!.parentCode : (before.get(unit)?.parentCode ?? null);
            if (!parent) continue;
            const { w } = await load(unit, s);
            await put(parent, s, field, key, unit, extremeOf(field, w[field][key]));
          }
        }
      }
    }
  }
  const writes = [...ops].map(([id, op]) => ({ id, fields: work.get(id)!.meta, set: op.set, remove: [...op.unset] }));
  if (writes.length > 0) await cells.write(writes);
  return writes.length;
}

/** Carries a fold document's per-path part from one path to another (compare-and-set: partitions write it too). */
async function moveFoldPart(folds: Collection<FoldDoc>, move: { id: string; from: string; to: string }): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const doc = await folds.get(move.id);
    const part = doc?.paths?.[move.from];
    if (!doc || !part) return;
    const merged = addFoldDelta(doc.paths?.[move.to] ?? { usums: {}, units: {} }, part);
    const update = { set: { [`paths.${move.to}`]: merged }, unset: [`paths.${move.from}`] };
    if (await folds.update(move.id, update, { field: 'rev', below: doc.rev + 1 })) return;
  }
  throw new RetryableError(`fold document ${move.id}: too much contention, retrying the change`);
}
