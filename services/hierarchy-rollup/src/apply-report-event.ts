import type { StoredEvent } from '@tally/contracts';
import {
  coarserPeriods,
  contributionOf,
  deadlineFor,
  diffContributions,
  isEmptyDelta,
  rollupTargets,
  type Catalog,
  type ReportContribution,
  type ContributionDelta,
  type ReportValuesData,
} from '@tally/core';
import type { Collection, Update } from '@tally/readstore';
import { cellKey, shareId, type FiguresVariant, type LedgerDoc, type RollupCellDoc } from './rollup-cells';

export interface ApplyDeps {
  cells: Collection<RollupCellDoc>;
  ledger: Collection<LedgerDoc>;
  catalogVersion: (version: string) => Promise<Catalog | undefined>;
  /** VN first, the unit last, in the given hierarchy version */
  path: (hierarchy: string, orgUnit: string) => Promise<string[]>;
}

/**
 * Applies one report event to every cell it reaches, incrementally: the delta between what the report
 * contributed before and what it contributes now. Exactly once in effect: cell shares are guarded by position,
 * the ledger by stream version, and the ledger is written last, so a crash anywhere replays to the same state.
 */
export async function applyReportEvent(deps: ApplyDeps, event: StoredEvent, partition: number): Promise<void> {
  if (event.type !== 'tally.report.submitted' && event.type !== 'tally.report.amended') return;
  const data = event.data as ReportValuesData;
  const ledger = await deps.ledger.get(data.reportId);
  if (ledger && ledger.version >= event.streamVersion) return; // already applied in full
  const catalog = await deps.catalogVersion(data.catalogVersion);
  if (!catalog) throw new Error(`catalog ${data.catalogVersion} is not known yet`);

  const contribution = contributionOf(data.values, new Map(catalog.dataElements.map((e) => [e.code, e])));
  const template = catalog.templates.find((t) => t.code === data.template);
  const first = !ledger;
  const onTime = ledger ? ledger.onTime : !!template && data.submittedAt.slice(0, 10) <= deadlineFor(data.period, template.deadlineDaysAfterPeriodEnd, 0);

  const variants: Array<{ figures: FiguresVariant; before: ReportContribution | null; firstInVariant: boolean }> = [
    { figures: 'latest', before: ledger?.latest ?? null, firstInVariant: first },
    { figures: data.figures, before: ledger?.[data.figures] ?? null, firstInVariant: !ledger?.[data.figures] },
  ];
  const path = await deps.path(data.hierarchy, data.orgUnit);
  const periods = [data.period, ...coarserPeriods(data.period)];
  const ops: Array<{ id: string; update: Update; guard: { field: string; below: number } }> = [];
  for (const v of variants) {
    const delta = diffContributions(v.before, contribution);
    for (const target of rollupTargets(path, periods)) {
      const countsReceipt = v.firstInVariant && target.period === data.period;
      if (isEmptyDelta(delta) && !countsReceipt) continue;
      const cell = cellKey(data.hierarchy, v.figures, target.orgUnit, target.period);
      ops.push({
        id: shareId(cell, partition),
        update: cellUpdate(delta, countsReceipt ? { template: data.template, onTime } : null, {
          cell,
          hierarchy: data.hierarchy,
          figures: v.figures,
          orgUnit: target.orgUnit,
          period: target.period,
          partition,
          applied: event.position,
        }),
        guard: { field: 'applied', below: event.position },
      });
    }
  }
  if (ops.length > 0) await deps.cells.updateMany(ops);
  const next: LedgerDoc = {
    _id: data.reportId,
    version: event.streamVersion,
    template: data.template,
    orgUnit: data.orgUnit,
    period: data.period,
    hierarchy: data.hierarchy,
    latest: contribution,
    estimate: data.figures === 'estimate' ? contribution : (ledger?.estimate ?? null),
    official: data.figures === 'official' ? contribution : (ledger?.official ?? null),
    onTime,
  };
  const { _id, ...fields } = next;
  await deps.ledger.update(_id, { set: fields }, { field: 'version', below: event.streamVersion });
}

function cellUpdate(delta: ContributionDelta, receipt: { template: string; onTime: boolean } | null, identity: Record<string, unknown>): Update {
  const inc: Record<string, number> = {};
  for (const [k, d] of Object.entries(delta.sums)) inc[`sums.${k}`] = d;
  for (const [k, d] of Object.entries(delta.counts)) inc[`counts.${k}`] = d;
  if (receipt) {
    inc[`received.${receipt.template}`] = 1;
    if (receipt.onTime) inc[`onTime.${receipt.template}`] = 1;
  }
  return { inc, set: identity };
}
