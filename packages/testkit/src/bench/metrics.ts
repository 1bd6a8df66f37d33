import type { Op } from '../workload';
import type { OpResult } from './load';
import type { RollupSample } from './observe';

/** Nearest-rank percentile (p in [0, 100]) of unsorted values; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

export interface Freshness {
  /** per acknowledged, non-duplicate submission: ms from its ack to the first VN sample reflecting it */
  values: number[];
  /** acknowledged submissions no sample reflected */
  unresolved: number;
}

/**
 * Freshness of each acknowledged submission, from periodic samples of the national rollup.
 * A submission at log position p is taken as reflected by the first sample answered after its ack whose
 * `position` (the last position applied to the VN cell) is >= p and whose `completeness.received` is at least
 * the number of first submissions at positions <= p. Rollups apply partitions independently, so this is an
 * estimate; its resolution is the poll interval.
 */
export function freshness(ops: readonly Op[], results: ReadonlyArray<OpResult | undefined>, samples: readonly RollupSample[]): Freshness {
  const events: Array<{ position: number; ackAt: number; first: boolean }> = [];
  for (const op of ops) {
    const r = results[op.index];
    if (!r || r.duplicate) continue;
    events.push({ position: r.position, ackAt: r.ackAt, first: op.kind === 'submit' });
  }
  events.sort((a, b) => a.position - b.position);
  // running maxima make a non-decreasing sequence, so it can be searched even if a sample went backwards (restart)
  const s = [...samples].sort((a, b) => a.t - b.t);
  const maxPos: number[] = [];
  const maxRecv: number[] = [];
  s.forEach((x, i) => {
    maxPos.push(Math.max(x.position, i > 0 ? maxPos[i - 1]! : 0));
    maxRecv.push(Math.max(x.received, i > 0 ? maxRecv[i - 1]! : 0));
  });
  const firstAtLeast = (arr: number[], v: number): number => {
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (arr[mid]! >= v) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const times = s.map((x) => x.t);
  const values: number[] = [];
  let unresolved = 0;
  let firsts = 0;
  for (const e of events) {
    if (e.first) firsts++;
    const j = Math.max(firstAtLeast(maxPos, e.position), firstAtLeast(maxRecv, firsts), firstAtLeast(times, e.ackAt));
    if (j >= s.length) unresolved++;
    else values.push(s[j]!.t - e.ackAt);
  }
  return { values, unresolved };
}
