import { DomainError } from '../errors';
import type { AggregationType } from './types';

/**
 * Aggregation math for both axes:
 * - ORG_UNIT: the children of a unit -> the unit (commune -> province), for one period;
 * - PERIOD: the finer periods of one unit -> a coarser period (months/quarters -> year).
 * When both apply (a province's year from communes' quarters), fold time first, per unit, then org
 * units: each unit's coarse-period value is what that unit would report for the period, and LAST /
 * AVERAGE_SUM_ORG_UNIT are then defined per unit, as DHIS2 does ("last value of each unit, summed").
 *
 * | type                 | ORG_UNIT axis          | PERIOD axis                        |
 * |----------------------|------------------------|------------------------------------|
 * | SUM                  | sum                    | sum                                |
 * | AVERAGE              | mean of reported units | mean of reported periods           |
 * | AVERAGE_SUM_ORG_UNIT | sum                    | mean of reported periods           |
 * | LAST                 | sum                    | value of the latest reported period|
 * | MIN                  | min                    | min                                |
 * | MAX                  | max                    | max                                |
 * | NONE                 | null (not aggregated)  | null (not aggregated)              |
 *
 * Missing contributions are absent, never zero: a mean is over what was reported. An empty
 * accumulator has no value (null). Means are unweighted (DHIS2 weights time averages by days).
 *
 * The accumulator keeps every contribution by contributor key (a child unit, or a sub-period), so
 * any contribution can be replaced or retracted, including for MIN, MAX and LAST, which a running
 * {sum, count, min, max} cannot undo. Cost: memory O(n) per accumulator (n contributors: a
 * province's communes, a year's months); add/retract copy the map, O(n) (the accumulator is an
 * immutable, JSON-serialisable value); finalValue sorts by key, O(n log n), and sums with
 * compensated (Neumaier) summation, so the result depends only on the current set of contributions,
 * never on the order of adds and retracts: incremental rollup equals recomputation from scratch.
 */
export type AggregationAxis = 'ORG_UNIT' | 'PERIOD';

export interface AccumulatorEntry {
  value: number;
  /** sortable period key used by LAST on the PERIOD axis; absent = the contributor key itself */
  period?: string;
}

export interface Accumulator {
  /** contributor key -> contribution. Keys are arbitrary strings: a store using them as document keys must escape them. */
  readonly contributions: Readonly<Record<string, AccumulatorEntry>>;
}

export function emptyAccumulator(): Accumulator {
  return { contributions: {} };
}

/**
 * Adds (or replaces: same key = the contributor's corrected value, so re-delivering an event is
 * harmless) one contributor's value. periodKey orders contributions for LAST on the PERIOD axis and
 * must sort chronologically as a string: DHIS2 codes of one period type (202601 < 202612,
 * 2026Q1 < 2026Q4) or ISO dates. Throws DomainError INVALID_VALUE for a non-finite value.
 */
export function addContribution(acc: Accumulator, key: string, value: number, periodKey?: string): Accumulator {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new DomainError('INVALID_VALUE', `contribution ${key} must be a finite number, got ${String(value)}`);
  }
  const contribution: AccumulatorEntry = periodKey === undefined ? { value } : { value, period: periodKey };
  return { contributions: { ...acc.contributions, [key]: contribution } };
}

/** Removes a contributor's value; a key that is not there leaves the accumulator as it is. */
export function retractContribution(acc: Accumulator, key: string): Accumulator {
  if (!Object.hasOwn(acc.contributions, key)) return acc;
  const contributions = { ...acc.contributions };
  delete contributions[key];
  return { contributions };
}

/** Union of two accumulators over disjoint contributors; on a shared key, b's contribution wins. */
export function mergeAccumulators(a: Accumulator, b: Accumulator): Accumulator {
  return { contributions: { ...a.contributions, ...b.contributions } };
}

export function contributionCount(acc: Accumulator): number {
  return Object.keys(acc.contributions).length;
}

/** What each aggregation type computes on each axis (the table above, as data). */
export const AXIS_OPERATION: Readonly<Record<AggregationType, Readonly<Record<AggregationAxis, 'SUM' | 'MEAN' | 'LATEST' | 'MIN' | 'MAX' | 'NONE'>>>> = {
  SUM: { ORG_UNIT: 'SUM', PERIOD: 'SUM' },
  AVERAGE: { ORG_UNIT: 'MEAN', PERIOD: 'MEAN' },
  AVERAGE_SUM_ORG_UNIT: { ORG_UNIT: 'SUM', PERIOD: 'MEAN' },
  LAST: { ORG_UNIT: 'SUM', PERIOD: 'LATEST' },
  MIN: { ORG_UNIT: 'MIN', PERIOD: 'MIN' },
  MAX: { ORG_UNIT: 'MAX', PERIOD: 'MAX' },
  NONE: { ORG_UNIT: 'NONE', PERIOD: 'NONE' },
};

/** The aggregated value of the accumulator for the aggregation type on the axis; null when there is none. */
export function finalValue(aggregation: AggregationType, acc: Accumulator, axis: AggregationAxis): number | null {
  const operation = AXIS_OPERATION[aggregation]?.[axis];
  if (operation === undefined) throw new DomainError('INVALID_AGGREGATION', `unknown aggregation ${String(aggregation)} or axis ${String(axis)}`);
  const entries = Object.entries(acc.contributions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0 || operation === 'NONE') return null;
  const values = entries.map(([, c]) => c.value);
  switch (operation) {
    case 'SUM':
      return clean(sum(values));
    case 'MEAN':
      return clean(sum(values) / values.length);
    case 'MIN':
      return clean(Math.min(...values));
    case 'MAX':
      return clean(Math.max(...values));
    case 'LATEST': {
      let best = entries[0] as [string, AccumulatorEntry];
      for (const e of entries) if ((e[1].period ?? e[0]) >= (best[1].period ?? best[0])) best = e;
      return clean(best[1].value);
    }
  }
}

/** Aggregates a batch of values in one go (same result as adding them to an accumulator). */
export function aggregate(aggregation: AggregationType, values: Readonly<Record<string, number>>, axis: AggregationAxis): number | null {
  let acc = emptyAccumulator();
  for (const [k, v] of Object.entries(values)) acc = addContribution(acc, k, v);
  return finalValue(aggregation, acc, axis);
}

/** Neumaier's compensated sum: exact-enough and deterministic for a given order. */
function sum(values: number[]): number {
  let s = 0;
  let c = 0;
  for (const v of values) {
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

function clean(x: number): number | null {
  return Number.isFinite(x) ? (x === 0 ? 0 : x) : null;
}
