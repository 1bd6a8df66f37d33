import type { Lookup } from '../formula/evaluate';
import { evaluate } from '../formula/evaluate';
import { parseCached } from '../formula/cache';
import { computeIndicator } from './indicator';
import type { CompositeIndex, Indicator } from './types';

export type { CompositeComponent, CompositeIndex } from './types';

export interface ComponentScore {
  code: string;
  maxPoints: number;
  /** points earned (the indicator's value or the expression's); null when missing */
  earned: number | null;
  /** earned / maxPoints clamped to [0, 1]; null when earned is null or maxPoints is 0 */
  value: number | null;
  /** earned was outside [0, maxPoints] and was clamped */
  clamped: boolean;
}

export interface CompositeScore {
  code: string;
  /** sum(maxPoints_i x value_i) / sum(maxPoints_i), in [0, 1]; null when a weighted component is missing (missing: 'NULL') */
  value: number | null;
  components: ComponentScore[];
}

export interface CompositeOptions {
  /** the catalog's indicators, for components that name one */
  indicators?: readonly Indicator[];
  /** a missing component (earned null): 'NULL' (default) makes the whole index null; 'ZERO' scores it 0 */
  missing?: 'NULL' | 'ZERO';
}

/**
 * A DTI-style composite index. Component i earns points (its indicator's or expression's value);
 * value_i = earned_i / maxPoints_i, clamped to [0, 1]; the index is sum(maxPoints_i x value_i) /
 * sum(maxPoints_i). Components with maxPoints 0 (DTI 2022's smart city) weigh nothing and are
 * reported with value null. An unknown indicator code counts as missing.
 */
export function computeComposite(index: CompositeIndex, lookup: Lookup, options: CompositeOptions = {}): CompositeScore {
  const missing = options.missing ?? 'NULL';
  const components: ComponentScore[] = index.components.map((c) => {
    let earned: number | null = null;
    if (c.indicator !== undefined) {
      const ind = options.indicators?.find((i) => i.code === c.indicator);
      earned = ind ? computeIndicator(ind, lookup).value : null;
    } else if (c.expression !== undefined) {
      earned = evaluate(parseCached(c.expression), lookup);
    }
    if (earned === null || c.maxPoints <= 0) return { code: c.code, maxPoints: c.maxPoints, earned, value: null, clamped: false };
    const raw = earned / c.maxPoints;
    const value = Math.min(1, Math.max(0, raw));
    return { code: c.code, maxPoints: c.maxPoints, earned, value, clamped: value !== raw };
  });
  let weighted = 0;
  let total = 0;
  let incomplete = false;
  for (const c of components) {
    if (c.maxPoints <= 0) continue;
    total += c.maxPoints;
    if (c.value === null) {
      if (missing === 'NULL') incomplete = true;
      continue;
    }
    weighted += c.maxPoints * c.value;
  }
  const value = incomplete || total === 0 ? null : weighted / total;
  return { code: index.code, value, components };
}

export interface RankedUnit {
  unit: string;
  score: number | null;
  /** competition rank (1, 2, 2, 4); null for a unit without a score */
  rank: number | null;
}

/**
 * Ranks units by descending score; tied units share the rank and the next rank skips (1, 2, 2, 4).
 * With `decimals`, scores are compared after rounding (published indices are rounded, e.g. 4 places).
 * Units without a score come last, unranked. Ties are listed by unit code, so the order is stable.
 */
export function rankUnits(scores: readonly { unit: string; score: number | null }[], options: { decimals?: number } = {}): RankedUnit[] {
  const key = (s: number): number => (options.decimals === undefined ? s : Number(s.toFixed(options.decimals)));
  const scored = scores.filter((s): s is { unit: string; score: number } => s.score !== null && Number.isFinite(s.score));
  const unscored = scores.filter((s) => s.score === null || !Number.isFinite(s.score));
  scored.sort((a, b) => key(b.score) - key(a.score) || (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0));
  const out: RankedUnit[] = [];
  scored.forEach((s, i) => {
    const prev = out[i - 1];
    const rank = prev && prev.score !== null && key(prev.score) === key(s.score) ? (prev.rank as number) : i + 1;
    out.push({ unit: s.unit, score: s.score, rank });
  });
  for (const s of [...unscored].sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0))) out.push({ unit: s.unit, score: null, rank: null });
  return out;
}
