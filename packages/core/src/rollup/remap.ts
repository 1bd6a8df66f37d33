/**
 * Re-aggregating a period reported on one map (pre2025) onto another (2025), at read time, from the source
 * map's cells of the units the mapping names (communes; five island districts).
 *
 * Rule: each source unit's value is apportioned to the new communes it went into by the Remapping's weights
 * (equal shares across the new communes of a split unit, see hierarchy/remapping.ts). For a target unit U
 * (a new commune, a province or VN) a source unit counts with weight w = the sum of its weights into U's
 * communes: w = 1 when all of it lies in U (exact, even when it was split between communes of U), w < 1 when
 * part of it went elsewhere (an estimate). Per aggregation type:
 *   SUM, AVERAGE_SUM_ORG_UNIT, LAST (summed over units): sum of w x value;
 *   AVERAGE (mean over units): sum of w x value / sum of w (a weighted mean of the units' values);
 *   MIN, MAX: min / max over the source units that reach U (not weighted: a split unit's extreme is its own).
 * Rates are never remapped: indicators are recomputed from the remapped numerators and denominators.
 */
import type { AggregationType } from '../catalog';
import type { Remapping } from '../hierarchy/remapping';
import { rollupPathOf, type KeyTotal } from './cell';

export interface RemapSource {
  oldCode: string;
  /** share of the old unit that lies in the target (0 < weight <= 1) */
  weight: number;
  /** true when weight < 1: part of the unit went elsewhere, so its share is apportioned (an estimate) */
  estimated: boolean;
}

const EPS = 1e-9;

/** The old units whose data reaches the target made of `newCodes` (the target's communes on the new map), with their weights. */
export function remapSourcesOf(remapping: Remapping, newCodes: Iterable<string>): RemapSource[] {
  const weights = new Map<string, number>();
  for (const code of newCodes) {
    for (const row of remapping.sourcesOf(code)) {
      const target = remapping.targetsOf(row.oldCode)?.targets.find((t) => t.newCode === code);
      if (target) weights.set(row.oldCode, (weights.get(row.oldCode) ?? 0) + target.weight);
    }
  }
  return [...weights]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([oldCode, w]) => {
      const weight = Math.min(1, w);
      return { oldCode, weight, estimated: weight < 1 - EPS };
    });
}

/** The totals a set of weighted source units adds to the target (see the rule above). */
export function remapTotals(
  sources: ReadonlyArray<{ weight: number; values: Readonly<Record<string, number>> }>,
  aggregationOf: (key: string) => AggregationType | undefined,
): Map<string, KeyTotal> {
  const out = new Map<string, KeyTotal>();
  for (const s of sources) {
    if (!(s.weight > 0)) continue;
    for (const [key, v] of Object.entries(s.values)) {
      const path = rollupPathOf(aggregationOf(key));
      if (path === 'none') continue;
      let t = out.get(key);
      if (!t) out.set(key, (t = { sum: 0, n: 0 }));
      if (path === 'min') {
        t.min = t.min === undefined ? v : Math.min(t.min, v);
        t.n = 1;
      } else if (path === 'max') {
        t.max = t.max === undefined ? v : Math.max(t.max, v);
        t.n = 1;
      } else {
        t.sum += s.weight * v;
        t.n += s.weight;
      }
    }
  }
  return out;
}
