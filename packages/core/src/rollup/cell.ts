/**
 * The state of a rollup cell (one unit, one period, one figures variant) and how every aggregation type is
 * kept in it incrementally, exactly, under retraction. The types' meaning is catalog/aggregation.ts's table:
 * time is folded first, per reporting unit, then the org-unit axis aggregates the units' folded values.
 *
 * Three update paths, chosen per element by its aggregation type (see rollupPathOf):
 * - 'sum' (SUM): decomposable over reports. sums[k] += after - before; counts[k] += presence change.
 *   No per-contributor state.
 * - 'fold' (AVERAGE, AVERAGE_SUM_ORG_UNIT, LAST): the unit's folded value f(unit, P) depends on all of the
 *   unit's reports within P (months of a quarter, ...), so it is computed from a small per-unit document
 *   (one entry per report of that unit within P: at most 12+4+2+1 per template) and only its change
 *   f_after - f_before reaches the ancestors: usums[k] += df, units[k] += presence change. AVERAGE reads
 *   usums/units (mean of the units' means), the others read usums.
 * - 'extreme' (MIN, MAX): min over units of min over periods = min over every contribution, so it is
 *   decomposable over reports, but not invertible: each cell keeps one entry per contributor (a child unit,
 *   or the cell unit's own report), holding that contributor's min (max). Bounded by the unit's fan-out
 *   (VN: 34 or 63 provinces; a 2025 province: at most ~160 communes), not by the subtree.
 */
import { finalValue, type AggregationType } from '../catalog';

export type RollupPath = 'sum' | 'fold' | 'min' | 'max' | 'none';

export function rollupPathOf(aggregation: AggregationType | undefined): RollupPath {
  switch (aggregation) {
    case undefined:
    case 'SUM':
      return 'sum';
    case 'AVERAGE':
    case 'AVERAGE_SUM_ORG_UNIT':
    case 'LAST':
      return 'fold';
    case 'MIN':
      return 'min';
    case 'MAX':
      return 'max';
    case 'NONE':
      return 'none';
  }
}

/** The element code of a contribution key (`ELEMENT` or `ELEMENT:OPTIONCOMBO`). */
export const elementOfKey = (key: string): string => key.split(':', 1)[0] as string;

/** What a cell (or the merge of its partition shares) holds. Every map is keyed by contribution key. */
export interface CellState {
  sums: Record<string, number>;
  counts: Record<string, number>;
  usums: Record<string, number>;
  units: Record<string, number>;
  /** key -> contributor -> min (max) of that contributor's contributions */
  mins: Record<string, Record<string, number>>;
  maxs: Record<string, Record<string, number>>;
  /** template -> reports received for this exact period */
  received: Record<string, number>;
  /** template -> of those, received by this unit's tier deadline */
  onTime: Record<string, number>;
  /** reports whose latest figures are an estimate (only kept in the 'latest' variant) */
  estimates: number;
  /** highest event position applied */
  applied: number;
}

export function emptyCellState(): CellState {
  return { sums: {}, counts: {}, usums: {}, units: {}, mins: {}, maxs: {}, received: {}, onTime: {}, estimates: 0, applied: 0 };
}

/** Merges partition shares (or any partial states over disjoint reports) into one. */
export function mergeCellStates(states: ReadonlyArray<Partial<CellState>>): CellState {
  const out = emptyCellState();
  const add = (into: Record<string, number>, from: Record<string, number> | undefined) => {
    for (const [k, v] of Object.entries(from ?? {})) into[k] = (into[k] ?? 0) + v;
  };
  for (const s of states) {
    add(out.sums, s.sums);
    add(out.counts, s.counts);
    add(out.usums, s.usums);
    add(out.units, s.units);
    add(out.received, s.received);
    add(out.onTime, s.onTime);
    for (const field of ['mins', 'maxs'] as const) {
      for (const [k, byContributor] of Object.entries(s[field] ?? {})) {
        // contributors of different shares are disjoint reports, but may name the same child unit
        const into = (out[field][k] ??= {});
        for (const [c, v] of Object.entries(byContributor)) {
          const prev = into[c];
          into[c] = prev === undefined ? v : field === 'mins' ? Math.min(prev, v) : Math.max(prev, v);
        }
      }
    }
    out.estimates += s.estimates ?? 0;
    out.applied = Math.max(out.applied, s.applied ?? 0);
  }
  return out;
}

/** A combinable per-key total: what a cell, or a re-aggregated source unit, adds to a result. */
export interface KeyTotal {
  /** sum of values (SUM), of units' folded values (fold types) or of weighted values (re-aggregation) */
  sum: number;
  /** number of contributions (SUM), of units (fold types), or total weight (re-aggregation); 0 = nothing */
  n: number;
  min?: number;
  max?: number;
}

const extreme = (values: Record<string, number> | undefined, pick: (a: number, b: number) => number): number | undefined => {
  let out: number | undefined;
  for (const v of Object.values(values ?? {})) out = out === undefined ? v : pick(out, v);
  return out;
};

/** The per-key totals of a cell state, each key read on the path its aggregation type uses. */
export function keyTotalsOf(state: CellState, aggregationOf: (key: string) => AggregationType | undefined): Map<string, KeyTotal> {
  const out = new Map<string, KeyTotal>();
  const keys = new Set([...Object.keys(state.counts), ...Object.keys(state.units), ...Object.keys(state.mins), ...Object.keys(state.maxs)]);
  for (const key of keys) {
    const path = rollupPathOf(aggregationOf(key));
    if (path === 'sum' && (state.counts[key] ?? 0) > 0) out.set(key, { sum: state.sums[key] ?? 0, n: state.counts[key] ?? 0 });
    else if (path === 'fold' && (state.units[key] ?? 0) > 0) out.set(key, { sum: state.usums[key] ?? 0, n: state.units[key] ?? 0 });
    else if (path === 'min') {
      const min = extreme(state.mins[key], Math.min);
      if (min !== undefined) out.set(key, { sum: 0, n: 1, min });
    } else if (path === 'max') {
      const max = extreme(state.maxs[key], Math.max);
      if (max !== undefined) out.set(key, { sum: 0, n: 1, max });
    }
  }
  return out;
}

/** Adds b's totals into a (for re-aggregation: native cells plus remapped sources). */
export function combineKeyTotals(a: Map<string, KeyTotal>, b: ReadonlyMap<string, KeyTotal>): Map<string, KeyTotal> {
  for (const [k, t] of b) {
    const prev = a.get(k);
    if (!prev) {
      a.set(k, { ...t });
      continue;
    }
    prev.sum += t.sum;
    prev.n += t.n;
    if (t.min !== undefined) prev.min = prev.min === undefined ? t.min : Math.min(prev.min, t.min);
    if (t.max !== undefined) prev.max = prev.max === undefined ? t.max : Math.max(prev.max, t.max);
  }
  return a;
}

/** The value of one key from its totals: the org-unit axis of the element's aggregation type. */
export function valueOfTotal(aggregation: AggregationType | undefined, t: KeyTotal): number | null {
  if (t.n <= 0) return null;
  switch (rollupPathOf(aggregation)) {
    case 'sum':
      return t.sum;
    case 'fold':
      return aggregation === 'AVERAGE' ? t.sum / t.n : t.sum;
    case 'min':
      return t.min ?? null;
    case 'max':
      return t.max ?? null;
    case 'none':
      return null;
  }
}

/** The values of a cell, keyed by contribution key; keys nothing contributes to any more are absent. */
export function cellValues(state: CellState, aggregationOf: (key: string) => AggregationType | undefined): Record<string, number> {
  return valuesOfTotals(keyTotalsOf(state, aggregationOf), aggregationOf);
}

export function valuesOfTotals(totals: ReadonlyMap<string, KeyTotal>, aggregationOf: (key: string) => AggregationType | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, t] of [...totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const v = valueOfTotal(aggregationOf(k), t);
    if (v !== null && Number.isFinite(v)) out[k] = v === 0 ? 0 : v;
  }
  return out;
}

/** One report's entry in a unit's fold document: its values for fold-path keys, and its period's end (for LAST). */
export interface FoldEntry {
  /** the report's period end date (YYYY-MM-DD); LAST takes the entry with the latest one */
  end: string;
  values: Record<string, number>;
}

/**
 * The unit's folded value of each key over its reports (the PERIOD axis of the element's aggregation type):
 * mean over reports for AVERAGE and AVERAGE_SUM_ORG_UNIT, the latest period's value for LAST.
 */
export function foldUnit(entries: Readonly<Record<string, FoldEntry>>, key: string, aggregation: AggregationType): number | null {
  const contributions: Record<string, { value: number; period: string }> = {};
  for (const [report, e] of Object.entries(entries)) {
    const v = e.values[key];
    if (v !== undefined) contributions[report] = { value: v, period: e.end };
  }
  return finalValue(aggregation, { contributions }, 'PERIOD');
}

/** What a change of one report's fold entry does to the unit's folded values: added to every ancestor. */
export interface FoldDelta {
  usums: Record<string, number>;
  units: Record<string, number>;
}

/** a + sign x b, key by key, dropping zeros: where fold deltas accumulate (per path, see the rollup's fold documents) */
export function addFoldDelta(a: FoldDelta, b: FoldDelta, sign = 1): FoldDelta {
  const sum = (x: Record<string, number>, y: Record<string, number>): Record<string, number> => {
    const out = { ...x };
    for (const [k, v] of Object.entries(y)) {
      const t = (out[k] ?? 0) + sign * v;
      if (t === 0) delete out[k];
      else out[k] = t;
    }
    return out;
  };
  return { usums: sum(a.usums, b.usums), units: sum(a.units, b.units) };
}

export function foldDelta(
  others: Readonly<Record<string, FoldEntry>>,
  report: string,
  before: FoldEntry | undefined,
  after: FoldEntry | undefined,
  aggregationOf: (key: string) => AggregationType | undefined,
): FoldDelta {
  const usums: Record<string, number> = {};
  const units: Record<string, number> = {};
  const keys = new Set([...Object.keys(before?.values ?? {}), ...Object.keys(after?.values ?? {})]);
  const withBefore = before ? { ...others, [report]: before } : others;
  const withAfter = after ? { ...others, [report]: after } : others;
  for (const key of keys) {
    const aggregation = aggregationOf(key) ?? 'SUM';
    const fb = foldUnit(withBefore, key, aggregation);
    const fa = foldUnit(withAfter, key, aggregation);
    const ds = (fa ?? 0) - (fb ?? 0);
    const du = (fa === null ? 0 : 1) - (fb === null ? 0 : 1);
    if (ds !== 0) usums[key] = ds;
    if (du !== 0) units[key] = du;
  }
  return { usums, units };
}

/** Splits a contribution by update path. */
export function splitByPath(contribution: Readonly<Record<string, number>> | null, aggregationOf: (key: string) => AggregationType | undefined): Record<RollupPath, Record<string, number>> {
  const out: Record<RollupPath, Record<string, number>> = { sum: {}, fold: {}, min: {}, max: {}, none: {} };
  for (const [k, v] of Object.entries(contribution ?? {})) out[rollupPathOf(aggregationOf(k))][k] = v;
  return out;
}

/**
 * Tier of an ancestor for timeliness: its level distance above the reporting unit (0 = the unit itself).
 * Deadlines cascade: tier k is due deadlineFor(period, days, k).
 */
export const tierOf = (reportingLevelIndex: number, unitLevelIndex: number): number => Math.max(0, reportingLevelIndex - unitLevelIndex);
