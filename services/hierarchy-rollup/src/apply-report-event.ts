import { RetryableError, type StoredEvent } from '@tally/contracts';
import {
  addFoldDelta,
  coarserPeriods,
  contributionOf,
  deadlineFor,
  diffContributions,
  foldDelta,
  isoDateOf,
  parsePeriod,
  splitByPath,
  tierOf,
  type AggregationType,
  type Catalog,
  type FoldDelta,
  type FoldEntry,
  type ReportContribution,
  type ReportValuesData,
} from '@tally/core';
import type { Collection, CounterWrite, Guard, Update } from '@tally/readstore';
import type { CellShares } from './cell-shares';
import { counterName, rollupCatalogOf } from './rollup-catalog';
import { cellKey, pathKeyOf, shareId, type FiguresVariant, type FoldDoc, type LedgerDoc, type ReceiptDoc, type RollupCellDoc } from './rollup-cells';

/** A unit on a report's path, with its level's index in its hierarchy (0 = the root). */
export interface PathUnit {
  code: string;
  levelIndex: number;
}

export interface ApplyDeps {
  cells: CellShares;
  ledger: Collection<LedgerDoc>;
  folds: Collection<FoldDoc>;
  receipts: Collection<ReceiptDoc>;
  catalogVersion: (version: string) => Promise<Catalog | undefined>;
  /** root first, the unit last, in the given hierarchy version as it stood just before `position` */
  path: (hierarchy: string, orgUnit: string, position: number) => Promise<PathUnit[]>;
}

/** Deadlines are calendar dates in Vietnam (UTC+7): a report sent at 23:30 on the due day is on time. */
export const DEADLINE_UTC_OFFSET_MINUTES = 7 * 60;

/** The largest number of compare-and-set attempts on a fold document before giving up (the consumer retries). */
const MAX_CAS_ATTEMPTS = 50;

/** What one event adds to one cell share; the batch merges the parts of the events a share has not applied yet. */
interface SharePart {
  id: string;
  position: number;
  fields: Record<string, string | number>;
  /** counters to add to (several non-empty records: the ones shared by every unit of the path are built once) */
  adds: Array<Record<string, number>>;
  set: Record<string, number>;
  unset: string[];
}

const isReportEvent = (e: StoredEvent): boolean => e.type === 'tally.report.submitted' || e.type === 'tally.report.amended';

/** Applies one report event (see applyReportBatch): time travel and tests. */
export async function applyReportEvent(deps: ApplyDeps, event: StoredEvent, partition: number): Promise<void> {
  await applyReportBatch(deps, [event], partition);
}

/**
 * Applies a consumer batch (one partition's events, in position order) to every cell it reaches, incrementally:
 * the change between what each report contributed before and what it contributes now, on each ancestor unit and
 * each coarser period, per aggregation type (core/rollup/cell.ts), folded in memory per cell share, then each
 * touched share written once (`CellShares.write`: one transaction in SQLite, one bulk write in MongoDB), then the
 * receipts, then the ledger entries.
 *
 * Exactly once in effect: a share takes only the parts of the events with a position above its `applied` (read
 * just before the write; the partition's consumer is its only writer), fold entries are versioned per report with
 * the delta they produced, receipts and the ledger are guarded by stream version, and the ledger is written last,
 * so a crash anywhere (a half-written bulk write in MongoDB included) replays to the same state whatever the
 * redelivered batch holds. A batch is applied in runs in which every report appears once (a report's fold entry
 * remembers only its last delta, and an amendment's base is the ledger written by the run before).
 */
export async function applyReportBatch(deps: ApplyDeps, events: StoredEvent[], partition: number, options: BatchOptions = {}): Promise<void> {
  let run: StoredEvent[] = [];
  const seen = new Set<string>();
  for (const e of events.filter(isReportEvent)) {
    const report = (e.data as ReportValuesData).reportId;
    if (seen.has(report)) {
      await applyRun(deps, run, partition, options);
      run = [];
      seen.clear();
    }
    seen.add(report);
    run.push(e);
  }
  if (run.length > 0) await applyRun(deps, run, partition, options);
}

export interface BatchOptions {
  /**
   * The caller knows that no cell share of the partition has applied a position above this one (share-marks.ts):
   * when every event the run applies lies above it, the shares' `applied` positions are not read.
   */
  sharesAppliedAtMost?: number;
}

async function applyRun(deps: ApplyDeps, events: StoredEvent[], partition: number, options: BatchOptions): Promise<void> {
  const ledgers = new Map((await deps.ledger.getMany(events.map((e) => (e.data as ReportValuesData).reportId))).map((d) => [d._id, d]));
  const extremes = new ExtremeCache(deps.cells);
  const parts: SharePart[] = [];
  const receipts: Array<{ id: string; update: Update; guard: Guard }> = [];
  const nextLedgers: Array<{ id: string; update: Update; guard: Guard }> = [];
  let lowest = Number.POSITIVE_INFINITY;
  for (const event of events) {
    const data = event.data as ReportValuesData;
    const ledger = ledgers.get(data.reportId) ?? null;
    if (ledger && ledger.version >= event.streamVersion) continue; // already applied in full
    lowest = Math.min(lowest, event.position);
    const next = await contributeEvent(deps, event, ledger, partition, extremes, parts);
    const guard = { field: 'version', below: event.streamVersion };
    receipts.push({ id: data.reportId, update: { set: { hierarchy: data.hierarchy, template: data.template, orgUnit: data.orgUnit, period: data.period, firstAt: next.firstAt } }, guard });
    nextLedgers.push({ id: data.reportId, update: { set: next }, guard });
  }
  if (nextLedgers.length === 0) return;
  const ids = [...new Set(parts.map((p) => p.id))];
  const bound = options.sharesAppliedAtMost;
  const applied = bound !== undefined && lowest > bound ? new Map(ids.map((id) => [id, bound])) : await deps.cells.appliedOf(ids);
  await deps.cells.write(mergeParts(parts, applied), applied);
  await deps.receipts.updateMany(receipts);
  // last: until it is written, the events are applied again. Its guards on the ledgers read at the start of the run
  // (this partition's consumer is their only writer meanwhile; a move holds the lock alone)
  await deps.ledger.updateMany(nextLedgers, new Map(events.map((e) => (e.data as ReportValuesData).reportId).map((id) => [id, ledgers.get(id) ?? null])));
}

/**
 * One write per share: the parts of the events above the share's `applied`, guarded by the last of them. The
 * parts' records of additions are passed on as they are (`addAll`): one record goes to every share of a path,
 * and the store enumerates it once per batch instead of once per share after a merge into copies.
 */
function mergeParts(parts: SharePart[], applied: Map<string, number>): CounterWrite[] {
  type Write = CounterWrite & { fields: Record<string, string | number>; addAll: Array<Record<string, number>>; set: Record<string, number>; remove: string[]; guard: number };
  const writes = new Map<string, Write>();
  for (const p of parts) {
    if (p.position <= (applied.get(p.id) ?? 0)) continue;
    let w = writes.get(p.id);
    if (!w) writes.set(p.id, (w = { id: p.id, fields: {}, addAll: [], set: {}, remove: [], guard: p.position }));
    Object.assign(w.fields, p.fields);
    for (const add of p.adds) w.addAll.push(add);
    for (const [k, v] of Object.entries(p.set)) {
      w.set[k] = v;
      w.remove = w.remove.filter((r) => r !== k);
    }
    for (const k of p.unset) {
      delete w.set[k];
      if (!w.remove.includes(k)) w.remove.push(k);
    }
    w.guard = Math.max(w.guard, p.position);
  }
  return [...writes.values()].filter((w) => w.addAll.length > 0 || Object.keys(w.set).length > 0 || w.remove.length > 0);
}

/**
 * One event's contribution to the cell shares of its path (pushed to `parts`); folds are written here (compare-
 * and-set, with the delta remembered); returns the report's next ledger entry.
 */
async function contributeEvent(
  deps: ApplyDeps,
  event: StoredEvent,
  ledger: LedgerDoc | null,
  partition: number,
  extremes: ExtremeCache,
  parts: SharePart[],
): Promise<Omit<LedgerDoc, '_id'> & { firstAt: Partial<Record<FiguresVariant, string>> }> {
  const data = event.data as ReportValuesData;
  const catalog = await deps.catalogVersion(data.catalogVersion);
  if (!catalog) throw new Error(`catalog ${data.catalogVersion} is not known yet`);

  const { elements, aggregationOf } = rollupCatalogOf(catalog);
  const contribution = contributionOf(data.values, elements);
  const template = catalog.templates.find((t) => t.code === data.template);
  // a report stays where its contributions sit (where it was first rolled up, or where a hierarchy change moved
  // it: apply-hierarchy-change.ts): its amendments retract from and add to the same cells
  const path = ledger?.path ?? (await deps.path(data.hierarchy, data.orgUnit, event.position));
  const pathKey = pathKeyOf(path);
  if (path.length === 0) throw new Error(`org unit ${data.orgUnit} is not in hierarchy ${data.hierarchy}`);
  const reportingLevel = path[path.length - 1]!.levelIndex;
  const periods = [data.period, ...coarserPeriods(data.period)];
  const end = parsePeriod(data.period)?.endDate ?? data.period;
  const firstAt = { ...(ledger?.firstAt ?? {}) };

  const variants: Array<{ figures: FiguresVariant; before: ReportContribution | null }> = [
    { figures: 'latest', before: ledger?.latest ?? null },
    { figures: data.figures, before: ledger?.[data.figures] ?? null },
  ];
  const after = splitByPath(contribution, aggregationOf);
  // the change from what a variant held before, the same for every unit and period of the path: built once per
  // distinct `before` (both variants of a first submission start from nothing: one record, enumerated once)
  const changes = new Map<ReportContribution | null, { before: ReturnType<typeof splitByPath>; summed: Record<string, number> | null }>();
  const changeFrom = (previous: ReportContribution | null) => {
    let change = changes.get(previous);
    if (!change) {
      const before = splitByPath(previous, aggregationOf);
      const delta = diffContributions(before.sum, after.sum);
      change = { before, summed: shareCounters({ sums: delta.sums, counts: delta.counts }) };
      changes.set(previous, change);
    }
    return change;
  };
  for (const v of variants) {
    const firstInVariant = firstAt[v.figures] === undefined;
    if (firstInVariant) firstAt[v.figures] = data.submittedAt;
    const receivedOn = isoDateOf(firstAt[v.figures]!, DEADLINE_UTC_OFFSET_MINUTES);
    const { before, summed } = changeFrom(v.before);
    const estimates = v.figures !== 'latest' ? 0 : (data.figures === 'estimate' ? 1 : 0) - (ledger?.latestFigures === 'estimate' ? 1 : 0);

    for (const period of periods) {
      const ids = shareIdsOf(path, data.hierarchy, v.figures, period, partition);
      const fold = await applyFold(deps, { hierarchy: data.hierarchy, figures: v.figures, unit: data.orgUnit, period, path: pathKey }, data.reportId, event.streamVersion, {
        before: Object.keys(before.fold).length > 0 ? before.fold : null,
        after: Object.keys(after.fold).length > 0 ? { end, values: after.fold } : null,
        aggregationOf,
      });
      const x = await extremes.updates(ids, data.reportId, path, before, after);
      const folded = shareCounters({ usums: fold.usums, units: fold.units });
      const shared = [summed, folded].filter((r): r is Record<string, number> => r !== null);
      path.forEach((unit, i) => {
        const own: Record<string, number> = {};
        if (estimates !== 0) own.estimates = estimates;
        if (firstInVariant && period === data.period) {
          own[`received.${data.template}`] = 1;
          const due = template ? deadlineFor(data.period, template.deadlineDaysAfterPeriodEnd, tierOf(reportingLevel, unit.levelIndex)) : null;
          if (due !== null && receivedOn <= due) own[`onTime.${data.template}`] = 1;
        }
        const fields = { cell: cellKey(data.hierarchy, v.figures, unit.code, period), hierarchy: data.hierarchy, figures: v.figures, orgUnit: unit.code, period, partition };
        const adds = Object.keys(own).length > 0 ? [...shared, own] : shared;
        parts.push({ id: ids[i]!, position: event.position, fields, adds, set: x[i]!.set, unset: x[i]!.unset });
      });
    }
  }
  return {
    version: event.streamVersion,
    template: data.template,
    orgUnit: data.orgUnit,
    period: data.period,
    hierarchy: data.hierarchy,
    catalogVersion: data.catalogVersion,
    latest: contribution,
    estimate: data.figures === 'estimate' ? contribution : (ledger?.estimate ?? null),
    official: data.figures === 'official' ? contribution : (ledger?.official ?? null),
    latestFigures: data.figures,
    firstAt,
    path,
  };
}

/**
 * The share ids of a path's cells for one variant and period. A loop, not `path.map`: V8's map builtin and its
 * inlined form give the array different element kinds, and the optimized rollup deoptimized ("wrong map") on
 * whichever it had not seen (docs/performance.md, twelfth round).
 */
function shareIdsOf(path: PathUnit[], hierarchy: string, figures: FiguresVariant, period: string, partition: number): string[] {
  const ids: string[] = [];
  for (const u of path) ids.push(shareId(cellKey(hierarchy, figures, u.code, period), partition));
  return ids;
}

/** Changes by field (`sums: {K: d}`) as one record of share counters (`sums.K: d`); null when it changes nothing. */
function shareCounters(byField: Record<string, Record<string, number>>): Record<string, number> | null {
  const counters: Record<string, number> = {};
  let any = false;
  for (const [field, changes] of Object.entries(byField)) {
    for (const [k, d] of Object.entries(changes)) {
      counters[counterName(field, k)] = d;
      any = true;
    }
  }
  return any ? counters : null;
}

/**
 * Updates the unit's fold document for one (variant, period) by compare-and-set and returns the change of the
 * unit's folded values, which every ancestor adds. A redelivered event finds its entry already at its version
 * and gets back the delta it produced the first time.
 */
async function applyFold(
  deps: ApplyDeps,
  where: { hierarchy: string; figures: FiguresVariant; unit: string; period: string; path: string },
  report: string,
  version: number,
  change: { before: Record<string, number> | null; after: FoldEntry | null; aggregationOf: (key: string) => AggregationType | undefined },
): Promise<FoldDelta> {
  const none: FoldDelta = { usums: {}, units: {} };
  if (!change.before && !change.after) return none;
  const id = `${where.hierarchy}|${where.figures}|${where.unit}|${where.period}`;
  for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
    const doc = await deps.folds.get(id);
    const current = doc?.reports?.[report];
    if (current && current.v >= version) return current.delta;
    const others: Record<string, FoldEntry> = {};
    for (const [r, e] of Object.entries(doc?.reports ?? {})) if (r !== report && Object.keys(e.values).length > 0) others[r] = { end: e.end, values: e.values };
    const prev = current && Object.keys(current.values).length > 0 ? { end: current.end, values: current.values } : undefined;
    const delta = foldDelta(others, report, prev, change.after ?? undefined, change.aggregationOf);
    const entry = { v: version, end: change.after?.end ?? current?.end ?? '', values: change.after?.values ?? {}, delta };
    const rev = doc?.rev ?? 0;
    const onPath = addFoldDelta(doc?.paths?.[where.path] ?? { usums: {}, units: {} }, delta);
    if (await deps.folds.update(id, { set: { [`reports.${report}`]: entry, [`paths.${where.path}`]: onPath } }, { field: 'rev', below: rev + 1 })) return delta;
  }
  throw new RetryableError(`fold document ${id}: too much contention, retrying the batch`);
}

/**
 * MIN and MAX, bottom-up along the path within this partition's shares: the unit's share keeps one entry per
 * report (its contributions), each ancestor's share one entry per child (the child's share extreme). Each entry
 * is set (or unset) to an absolute value recomputed from the share below, so re-applying is harmless. The shares
 * are read once per run and kept with the run's own entries applied, so later events of the run see them.
 */
class ExtremeCache {
  private readonly shares = new Map<string, Pick<RollupCellDoc, 'mins' | 'maxs'>>();

  constructor(private readonly cells: CellShares) {}

  async updates(
    ids: string[],
    report: string,
    path: PathUnit[],
    before: Record<'min' | 'max', Record<string, number>>,
    after: Record<'min' | 'max', Record<string, number>>,
  ): Promise<Array<{ set: Record<string, number>; unset: string[] }>> {
    const out: Array<{ set: Record<string, number>; unset: string[] }> = [];
    for (let i = 0; i < ids.length; i++) out.push({ set: {}, unset: [] });
    const work: Array<{ field: 'mins' | 'maxs'; key: string; value: number | undefined }> = [];
    for (const [path_, field] of [
      ['min', 'mins'],
      ['max', 'maxs'],
    ] as const) {
      for (const key of new Set([...Object.keys(before[path_]), ...Object.keys(after[path_])])) work.push({ field, key, value: after[path_][key] });
    }
    if (work.length === 0) return out;
    const missing = ids.filter((id) => !this.shares.has(id));
    for (const d of await this.cells.getMany(missing)) this.shares.set(d._id, { mins: d.mins ?? {}, maxs: d.maxs ?? {} });
    for (const id of missing) if (!this.shares.has(id)) this.shares.set(id, { mins: {}, maxs: {} });
    for (const w of work) {
      const pick = w.field === 'mins' ? Math.min : Math.max;
      let contributor = report;
      let value = w.value;
      for (let i = ids.length - 1; i >= 0; i--) {
        const share = this.shares.get(ids[i]!)!;
        const entries = ((share[w.field] ??= {})[w.key] ??= {});
        if (value === undefined) {
          delete entries[contributor];
          out[i]!.unset.push(`${w.field}.${w.key}.${contributor}`);
        } else {
          entries[contributor] = value;
          out[i]!.set[`${w.field}.${w.key}.${contributor}`] = value;
        }
        const values = Object.values(entries);
        value = values.length === 0 ? undefined : pick(...values);
        contributor = path[i]!.code;
      }
    }
    return out;
  }
}
