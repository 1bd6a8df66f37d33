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
import type { Collection, Update } from '@tally/readstore';
import { cellKey, pathKeyOf, shareId, type FiguresVariant, type FoldDoc, type LedgerDoc, type ReceiptDoc, type RollupCellDoc } from './rollup-cells';

/** A unit on a report's path, with its level's index in its hierarchy (0 = the root). */
export interface PathUnit {
  code: string;
  levelIndex: number;
}

export interface ApplyDeps {
  cells: Collection<RollupCellDoc>;
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

interface Op {
  id: string;
  inc: Record<string, number>;
  set: Record<string, unknown>;
  unset: string[];
}

/**
 * Applies one report event to every cell it reaches, incrementally: the change between what the report
 * contributed before and what it contributes now, on each ancestor unit and each coarser period, per
 * aggregation type (core/rollup/cell.ts). Exactly once in effect: cell shares are guarded by position, fold
 * entries by stream version (with the delta they produced kept for redelivery), the receipt and the ledger by
 * stream version, and the ledger is written last, so a crash anywhere replays to the same state.
 */
export async function applyReportEvent(deps: ApplyDeps, event: StoredEvent, partition: number): Promise<void> {
  if (event.type !== 'tally.report.submitted' && event.type !== 'tally.report.amended') return;
  const data = event.data as ReportValuesData;
  const ledger = await deps.ledger.get(data.reportId);
  if (ledger && ledger.version >= event.streamVersion) return; // already applied in full
  const catalog = await deps.catalogVersion(data.catalogVersion);
  if (!catalog) throw new Error(`catalog ${data.catalogVersion} is not known yet`);

  const elements = new Map(catalog.dataElements.map((e) => [e.code, e]));
  const aggregationOf = (key: string): AggregationType | undefined => elements.get(key.split(':', 1)[0] as string)?.aggregation;
  const contribution = contributionOf(data.values, elements);
  const template = catalog.templates.find((t) => t.code === data.template);
  // a report stays where its contributions sit (where it was first rolled up, or where a hierarchy change moved
  // it: apply-hierarchy-change.ts): its amendments retract from and add to the same cells
  const path = ledger?.path ?? (await deps.path(data.hierarchy, data.orgUnit, event.position));
  if (path.length === 0) throw new Error(`org unit ${data.orgUnit} is not in hierarchy ${data.hierarchy}`);
  const reportingLevel = path[path.length - 1]!.levelIndex;
  const periods = [data.period, ...coarserPeriods(data.period)];
  const end = parsePeriod(data.period)?.endDate ?? data.period;
  const firstAt = { ...(ledger?.firstAt ?? {}) };

  const variants: Array<{ figures: FiguresVariant; before: ReportContribution | null }> = [
    { figures: 'latest', before: ledger?.latest ?? null },
    { figures: data.figures, before: ledger?.[data.figures] ?? null },
  ];
  const ops = new Map<string, Op>();
  const opFor = (id: string): Op => {
    let op = ops.get(id);
    if (!op) ops.set(id, (op = { id, inc: {}, set: {}, unset: [] }));
    return op;
  };
  for (const v of variants) {
    const firstInVariant = firstAt[v.figures] === undefined;
    if (firstInVariant) firstAt[v.figures] = data.submittedAt;
    const receivedOn = isoDateOf(firstAt[v.figures]!, DEADLINE_UTC_OFFSET_MINUTES);
    const before = splitByPath(v.before, aggregationOf);
    const after = splitByPath(contribution, aggregationOf);
    const sumDelta = diffContributions(before.sum, after.sum);
    const estimates = v.figures !== 'latest' ? 0 : (data.figures === 'estimate' ? 1 : 0) - (ledger?.latestFigures === 'estimate' ? 1 : 0);

    for (const period of periods) {
      const ids = path.map((u) => shareId(cellKey(data.hierarchy, v.figures, u.code, period), partition));
      const fold = await applyFold(deps, { hierarchy: data.hierarchy, figures: v.figures, unit: data.orgUnit, period, path: pathKeyOf(path) }, data.reportId, event.streamVersion, {
        before: Object.keys(before.fold).length > 0 ? before.fold : null,
        after: Object.keys(after.fold).length > 0 ? { end, values: after.fold } : null,
        aggregationOf,
      });
      const extremes = await extremeUpdates(deps, ids, data.reportId, path, before, after);
      path.forEach((unit, i) => {
        const op = opFor(ids[i]!);
        for (const [k, d] of Object.entries(sumDelta.sums)) op.inc[`sums.${k}`] = d;
        for (const [k, d] of Object.entries(sumDelta.counts)) op.inc[`counts.${k}`] = d;
        for (const [k, d] of Object.entries(fold.usums)) op.inc[`usums.${k}`] = d;
        for (const [k, d] of Object.entries(fold.units)) op.inc[`units.${k}`] = d;
        if (estimates !== 0) op.inc.estimates = estimates;
        if (firstInVariant && period === data.period) {
          op.inc[`received.${data.template}`] = 1;
          const due = template ? deadlineFor(data.period, template.deadlineDaysAfterPeriodEnd, tierOf(reportingLevel, unit.levelIndex)) : null;
          if (due !== null && receivedOn <= due) op.inc[`onTime.${data.template}`] = 1;
        }
        const x = extremes[i]!;
        Object.assign(op.set, x.set);
        op.unset.push(...x.unset);
        Object.assign(op.set, { cell: cellKey(data.hierarchy, v.figures, unit.code, period), hierarchy: data.hierarchy, figures: v.figures, orgUnit: unit.code, period, partition });
      });
    }
  }
  const writes = [...ops.values()]
    .filter((op) => Object.keys(op.inc).length > 0 || op.unset.length > 0 || Object.keys(op.set).some((f) => f.startsWith('mins.') || f.startsWith('maxs.')))
    .map((op) => ({
      id: op.id,
      update: { set: op.set, ...(Object.keys(op.inc).length > 0 ? { inc: op.inc } : {}), ...(op.unset.length > 0 ? { unset: op.unset } : {}) } satisfies Update,
      guard: { field: 'applied', below: event.position },
    }));
  if (writes.length > 0) await deps.cells.updateMany(writes);

  await deps.receipts.update(
    data.reportId,
    { set: { hierarchy: data.hierarchy, template: data.template, orgUnit: data.orgUnit, period: data.period, firstAt } },
    { field: 'version', below: event.streamVersion },
  );
  const next: Omit<LedgerDoc, '_id'> = {
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
  await deps.ledger.update(data.reportId, { set: next }, { field: 'version', below: event.streamVersion });
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
 * is set (or unset) to an absolute value recomputed from the share below, so re-applying is harmless.
 */
async function extremeUpdates(
  deps: ApplyDeps,
  ids: string[],
  report: string,
  path: PathUnit[],
  before: Record<'min' | 'max', Record<string, number>>,
  after: Record<'min' | 'max', Record<string, number>>,
): Promise<Array<{ set: Record<string, number>; unset: string[] }>> {
  const out = ids.map(() => ({ set: {} as Record<string, number>, unset: [] as string[] }));
  const work: Array<{ field: 'mins' | 'maxs'; key: string; value: number | undefined }> = [];
  for (const [path_, field] of [
    ['min', 'mins'],
    ['max', 'maxs'],
  ] as const) {
    for (const key of new Set([...Object.keys(before[path_]), ...Object.keys(after[path_])])) work.push({ field, key, value: after[path_][key] });
  }
  if (work.length === 0) return out;
  const shares = new Map((await deps.cells.getMany(ids)).map((d) => [d._id, d]));
  for (const w of work) {
    const pick = w.field === 'mins' ? Math.min : Math.max;
    let contributor = report;
    let value = w.value;
    for (let i = ids.length - 1; i >= 0; i--) {
      const entries = { ...(shares.get(ids[i]!)?.[w.field]?.[w.key] ?? {}) };
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
