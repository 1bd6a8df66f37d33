/**
 * The reference: every cell recomputed from scratch from the reports' final contributions, with the
 * accumulators of catalog/aggregation.ts (time first per reporting unit, then org units). Used by tests to
 * check that the incremental rollup equals a batch recomputation, and by tools that want a cell's value from
 * a list of reports. Cost: O(reports x values x depth x periods); memory O(cells x keys).
 */
import { addContribution, emptyAccumulator, finalValue, type Accumulator, type AggregationType } from '../catalog';
import { coarserPeriods, parsePeriod } from '../period';

export interface BatchReport {
  reportId: string;
  /** root first, the reporting unit last */
  path: readonly string[];
  period: string;
  /** the report's contribution (contributionOf) */
  values: Readonly<Record<string, number>>;
}

/** `unit|period` -> key -> value. */
export function batchRollup(reports: Iterable<BatchReport>, aggregationOf: (key: string) => AggregationType | undefined): Map<string, Record<string, number>> {
  // (reporting unit, coarse period) -> key -> accumulator over the unit's reports (PERIOD axis)
  const perUnit = new Map<string, { path: readonly string[]; period: string; byKey: Map<string, Accumulator> }>();
  for (const r of reports) {
    const end = parsePeriod(r.period)?.endDate ?? r.period;
    const unit = r.path[r.path.length - 1] as string;
    for (const P of [r.period, ...coarserPeriods(r.period)]) {
      // by path too: reports of one unit can sit on different paths (a hierarchy change the rollups did not
      // follow), and each contributes where it sits
      const id = `${unit}|${P}|${r.path.join('/')}`;
      let u = perUnit.get(id);
      if (!u) perUnit.set(id, (u = { path: r.path, period: P, byKey: new Map() }));
      for (const [k, v] of Object.entries(r.values)) u.byKey.set(k, addContribution(u.byKey.get(k) ?? emptyAccumulator(), r.reportId, v, end));
    }
  }
  // (ancestor, coarse period) -> key -> accumulator over reporting units (ORG_UNIT axis)
  const perCell = new Map<string, Map<string, Accumulator>>();
  for (const [id, u] of perUnit) {
    for (const [k, acc] of u.byKey) {
      const aggregation = aggregationOf(k) ?? 'SUM';
      const folded = finalValue(aggregation, acc, 'PERIOD');
      if (folded === null) continue;
      for (const a of u.path) {
        const cell = `${a}|${u.period}`;
        let byKey = perCell.get(cell);
        if (!byKey) perCell.set(cell, (byKey = new Map()));
        byKey.set(k, addContribution(byKey.get(k) ?? emptyAccumulator(), id, folded));
      }
    }
  }
  const out = new Map<string, Record<string, number>>();
  for (const [cell, byKey] of perCell) {
    const values: Record<string, number> = {};
    for (const [k, acc] of byKey) {
      const v = finalValue(aggregationOf(k) ?? 'SUM', acc, 'ORG_UNIT');
      if (v !== null) values[k] = v;
    }
    out.set(cell, values);
  }
  return out;
}
