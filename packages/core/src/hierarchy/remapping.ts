/**
 * Re-aggregating figures reported on the pre-2025 map onto the 2025 map, through the old -> new mapping.
 *
 * Apportioning rule (EQUAL SHARES): an old unit that went whole into one new commune ('full') gives it
 * weight 1. An old unit split across n new communes ('partial' rows) gives each of them weight 1/n,
 * because the mapping has no area or population shares. This is an assumption, so every result that
 * involves a weight < 1 (or a 'partial' row) is marked `estimated: true`; callers must flag such figures
 * as estimates. Better shares can be plugged in with the `weights` option.
 * Weights of one old unit always sum to 1, so totals are preserved. Values are not rounded.
 */
import { DomainError } from '../errors';
import type { MappingRow, MappingMergeType } from './parse';

export interface RemapTarget {
  newCode: string;
  weight: number;
  mergeType: MappingMergeType;
}

export interface RemapTargets {
  oldCode: string;
  targets: RemapTarget[];
  /** true when any weight < 1 or any row is 'partial' */
  estimated: boolean;
}

export interface RemappedValue {
  value: number;
  /** true when any contribution was apportioned */
  estimated: boolean;
  /** old codes that contributed */
  sources: string[];
}

export interface RemapResult {
  byNewCode: Map<string, RemappedValue>;
  /** old codes that are not in the mapping (their values are dropped) */
  unmapped: string[];
}

export interface RemappingOptions {
  /**
   * Custom shares for an old unit's rows (same order as the rows; non-negative; normalised to sum to 1).
   * Return undefined to use equal shares.
   */
  weights?: (oldCode: string, rows: readonly MappingRow[]) => number[] | undefined;
}

const EPS = 1e-9;

export class Remapping {
  private readonly byOld = new Map<string, RemapTargets>();
  private readonly byNew = new Map<string, MappingRow[]>();

  constructor(rows: readonly MappingRow[], options: RemappingOptions = {}) {
    const grouped = new Map<string, MappingRow[]>();
    for (const r of rows) {
      let g = grouped.get(r.oldCode);
      if (!g) grouped.set(r.oldCode, (g = []));
      if (g.some((x) => x.newCode === r.newCode)) throw new DomainError('INVALID_REQUEST', `duplicate mapping row ${r.oldCode} -> ${r.newCode}`);
      g.push(r);
      let n = this.byNew.get(r.newCode);
      if (!n) this.byNew.set(r.newCode, (n = []));
      n.push(r);
    }
    for (const [oldCode, g] of grouped) {
      let weights = options.weights?.(oldCode, g);
      if (weights) {
        if (weights.length !== g.length || weights.some((w) => !(w >= 0) || !Number.isFinite(w))) {
          throw new DomainError('INVALID_REQUEST', `bad weights for ${oldCode}: need ${g.length} non-negative numbers`);
        }
        const sum = weights.reduce((a, b) => a + b, 0);
        if (sum <= 0) throw new DomainError('INVALID_REQUEST', `weights for ${oldCode} sum to 0`);
        weights = weights.map((w) => w / sum);
      } else {
        weights = g.map(() => 1 / g.length);
      }
      const targets = g.map((r, i) => ({ newCode: r.newCode, weight: weights[i] as number, mergeType: r.mergeType }));
      const estimated = targets.some((t) => t.weight < 1 - EPS || t.mergeType === 'partial');
      this.byOld.set(oldCode, { oldCode, targets, estimated });
    }
  }

  /** The new communes an old unit went into, with apportioning weights; undefined if the code is not mapped. */
  targetsOf(oldCode: string): RemapTargets | undefined {
    return this.byOld.get(oldCode);
  }

  /** The mapping rows whose new commune is `newCode` ([] if none). */
  sourcesOf(newCode: string): MappingRow[] {
    return [...(this.byNew.get(newCode) ?? [])];
  }

  oldCodes(): string[] {
    return [...this.byOld.keys()];
  }

  newCodes(): string[] {
    return [...this.byNew.keys()];
  }

  /**
   * Re-aggregates additive values (counts, money) keyed by old code onto new communes:
   * new value = sum over old units of old value x weight. Never use it for rates: remap numerators and
   * denominators and recompute.
   */
  remapValues(values: Iterable<readonly [string, number]> | Readonly<Record<string, number>>): RemapResult {
    const entries: Iterable<readonly [string, number]> = Symbol.iterator in Object(values) ? (values as Iterable<readonly [string, number]>) : Object.entries(values);
    const byNewCode = new Map<string, RemappedValue>();
    const unmapped: string[] = [];
    for (const [oldCode, value] of entries) {
      const t = this.byOld.get(oldCode);
      if (!t) {
        unmapped.push(oldCode);
        continue;
      }
      for (const target of t.targets) {
        let acc = byNewCode.get(target.newCode);
        if (!acc) byNewCode.set(target.newCode, (acc = { value: 0, estimated: false, sources: [] }));
        acc.value += value * target.weight;
        acc.estimated ||= t.estimated;
        acc.sources.push(oldCode);
      }
    }
    return { byNewCode, unmapped };
  }
}
