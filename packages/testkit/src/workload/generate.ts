import type { Hierarchy } from '@tally/core';
import { loadHierarchies } from '@tally/reference-data';
import { benchCatalog, slotKey, type BenchCatalog } from './catalog';
import { randomInt, seededRandom, shuffled } from './random';

export type MapId = 'pre2025' | '2025';

/** The half-year each map is in force for: 2024S2 is read on the pre-2025 map, 2025S2 on the 2025 map. */
export const PERIOD_OF_MAP: Record<MapId, string> = { pre2025: '2024S2', '2025': '2025S2' };

export interface WorkloadOptions {
  map: MapId;
  /** a seeded sample of this many communes; default (undefined) = every commune of the map */
  communes?: number;
  valuesPerReport: number;
  seed?: number;
  /** share of reports amended later (new submissionId, with a reason); default 0.05 */
  amendShare?: number;
  /** share of submissions sent twice with the same submissionId (a client retry); default 0.03 */
  retryShare?: number;
  /** share of first submissions arriving in the last `burstWindow` of the window; default 0.7 */
  burstShare?: number;
  /** the deadline-day burst: the last fraction of the window; default 0.1 */
  burstWindow?: number;
}

export type OpKind = 'submit' | 'amend' | 'retry';

/** One HTTP submission the driver sends. */
export interface Op {
  index: number;
  kind: OpKind;
  /** index into Workload.reports */
  report: number;
  /** 0-based version this op creates (a retry repeats the version it retries) */
  version: number;
  submissionId: string;
  reason?: string;
  /** arrival time as a fraction [0, 1) of the window */
  at: number;
  /** the op that must be acknowledged before this one is sent (the version it amends or retries) */
  after?: number;
  /** the K values, in slot order */
  values: Int32Array;
}

export interface ExpectedTotals {
  /** key (ELEMENT or ELEMENT.OPTIONCOMBO) -> total */
  national: Record<string, number>;
  /** province code -> key -> total */
  byProvince: Record<string, Record<string, number>>;
  /** distinct reports (what completeness.received must say at VN) */
  reports: number;
}

export interface Workload {
  options: Required<Omit<WorkloadOptions, 'communes'>> & { communes: number };
  period: string;
  hierarchy: Hierarchy;
  catalog: BenchCatalog;
  /** commune code per report; reports[i] is reported by reports[i] */
  reports: string[];
  /** province code per report */
  provinceOf: string[];
  /** every province of the map (a province with no sampled commune expects zero everywhere) */
  provinces: string[];
  /** ops sorted by arrival */
  ops: Op[];
  /** values accepted by the platform: the values of every non-duplicate op */
  acceptedValues: number;
}

/**
 * A deterministic national reporting day: one report per commune (or a seeded sample), K values each,
 * arrivals concentrated before the deadline, some amendments and some duplicate retries.
 */
export function generateWorkload(opts: WorkloadOptions): Workload {
  const seed = opts.seed ?? 1719;
  const amendShare = opts.amendShare ?? 0.05;
  const retryShare = opts.retryShare ?? 0.03;
  const burstShare = opts.burstShare ?? 0.7;
  const burstWindow = opts.burstWindow ?? 0.1;
  const random = seededRandom(seed);
  const hierarchy = loadHierarchies().get(opts.map);
  if (!hierarchy) throw new Error(`unknown map ${opts.map}`);
  const period = PERIOD_OF_MAP[opts.map];
  const catalog = benchCatalog(opts.valuesPerReport);
  const all = hierarchy.units('commune').map((u) => u.code);
  const n = opts.communes === undefined ? all.length : Math.min(opts.communes, all.length);
  if (n < 1) throw new Error('need at least one commune');
  const reports = n === all.length ? all : shuffled(all, random).slice(0, n).sort();
  const provinceOf = reports.map((c) => hierarchy.ancestorAtLevel(c, 'province')?.code ?? '??');
  const provinces = hierarchy.units('province').map((u) => u.code);

  const K = catalog.slots.length;
  const makeValues = (): Int32Array => {
    const v = new Int32Array(K);
    for (let i = 0; i < K; i++) v[i] = randomInt(random, 0, 5000);
    return v;
  };

  const ops: Op[] = [];
  const sidBase = `bench-${seed}-${opts.map}`;
  for (let r = 0; r < reports.length; r++) {
    const commune = reports[r]!;
    const inBurst = random() < burstShare;
    const at = inBurst ? 1 - burstWindow + random() * burstWindow : random() * (1 - burstWindow);
    const first: Op = { index: -1, kind: 'submit', report: r, version: 0, submissionId: `${sidBase}-${commune}-v0`, at, values: makeValues() };
    ops.push(first);
    if (random() < retryShare) {
      ops.push({ ...first, kind: 'retry', at: Math.min(0.999999, at + random() * 0.01) });
    }
    if (random() < amendShare) {
      const values = first.values.slice();
      // an amendment corrects a few values, up or down
      for (let c = 0; c < Math.max(1, Math.floor(K / 10)); c++) values[randomInt(random, 0, K - 1)] = randomInt(random, 0, 5000);
      ops.push({
        index: -1,
        kind: 'amend',
        report: r,
        version: 1,
        submissionId: `${sidBase}-${commune}-v1`,
        reason: 'Điều chỉnh số liệu sau rà soát',
        at: at + random() * (1 - at),
        values,
      });
    }
  }
  // stable order: arrival, then creation order, so dependencies always come first
  const order = ops.map((op, i) => ({ op, i })).sort((a, b) => a.op.at - b.op.at || a.i - b.i);
  const sorted = order.map((o) => o.op);
  const firstOf = new Map<number, number>();
  sorted.forEach((op, i) => {
    op.index = i;
    if (op.kind === 'submit') firstOf.set(op.report, i);
  });
  for (const op of sorted) if (op.kind !== 'submit') op.after = firstOf.get(op.report);
  // an amendment arrives after its original, and a retry after the submission it repeats, so `after` < index
  for (const op of sorted) if (op.after !== undefined && op.after > op.index) throw new Error('workload: dependency after its op');
  const acceptedValues = sorted.filter((o) => o.kind !== 'retry').length * K;
  return {
    options: { map: opts.map, communes: n, valuesPerReport: K, seed, amendShare, retryShare, burstShare, burstWindow },
    period,
    hierarchy,
    catalog,
    reports,
    provinceOf,
    provinces,
    ops: sorted,
    acceptedValues,
  };
}

/** The body POST /api/v1/reports takes for an op, as JSON text. */
export function reportBody(w: Workload, op: Op): string {
  const values = w.catalog.slots.map((s, i) => (s.optionCombo ? { dataElement: s.dataElement, optionCombo: s.optionCombo, value: op.values[i]! } : { dataElement: s.dataElement, value: op.values[i]! }));
  return JSON.stringify({
    template: w.catalog.template,
    orgUnit: w.reports[op.report]!,
    period: w.period,
    submissionId: op.submissionId,
    values,
    ...(op.reason ? { reason: op.reason } : {}),
  });
}

/**
 * The totals the platform must show, computed from what was sent: for each report, the values of the highest
 * version among the ops given (default: all of them; chaos passes the acknowledged ones). Disaggregated elements
 * also get their total.
 */
export function expectedTotals(w: Workload, ops: Iterable<Op> = w.ops): ExpectedTotals {
  const latest = new Map<number, Op>();
  for (const op of ops) {
    const cur = latest.get(op.report);
    if (!cur || op.version > cur.version) latest.set(op.report, op);
  }
  const K = w.catalog.slots.length;
  const national = new Float64Array(K);
  const byProvince = new Map<string, Float64Array>();
  for (const p of w.provinces) byProvince.set(p, new Float64Array(K));
  for (const op of latest.values()) {
    const prov = byProvince.get(w.provinceOf[op.report]!)!;
    for (let i = 0; i < K; i++) {
      national[i]! += op.values[i]!;
      prov[i]! += op.values[i]!;
    }
  }
  const keyed = (sums: Float64Array, present: boolean): Record<string, number> => {
    const out: Record<string, number> = {};
    if (!present) return out;
    w.catalog.slots.forEach((s, i) => (out[slotKey(s)] = sums[i]!));
    for (const d of w.catalog.disaggregated) out[d.dataElement] = d.slots.reduce((a, i) => a + sums[i]!, 0);
    return out;
  };
  const provincesWithReports = new Set([...latest.values()].map((op) => w.provinceOf[op.report]!));
  return {
    national: keyed(national, latest.size > 0),
    byProvince: Object.fromEntries([...byProvince].map(([p, sums]) => [p, keyed(sums, provincesWithReports.has(p))])),
    reports: latest.size,
  };
}
