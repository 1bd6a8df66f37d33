import { evaluate, type Lookup } from '../formula/evaluate';
import { parseCached } from '../formula/cache';
import type { Indicator } from './types';

export interface IndicatorValue {
  /** numerator / denominator x factor; null when either side is null or the denominator is 0 */
  value: number | null;
  numerator: number | null;
  denominator: number | null;
}

/**
 * Computes an indicator from (rolled-up) data values. Rates are always recomputed from the numerator
 * and denominator of the unit and period in question, never averaged from children.
 * Throws FormulaError when a formula does not parse (validateCatalog reports that beforehand).
 */
export function computeIndicator(indicator: Indicator, lookup: Lookup): IndicatorValue {
  const numerator = evaluate(parseCached(indicator.numerator), lookup);
  const denominator = evaluate(parseCached(indicator.denominator), lookup);
  let value: number | null = null;
  if (numerator !== null && denominator !== null && denominator !== 0) {
    const v = (numerator / denominator) * indicator.factor;
    value = Number.isFinite(v) ? (v === 0 ? 0 : v) : null;
  }
  return { value, numerator, denominator };
}
