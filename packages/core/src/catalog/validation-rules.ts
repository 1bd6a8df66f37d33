import type { Lookup } from '../formula/evaluate';
import { evaluate, referencedElements } from '../formula/evaluate';
import { parseCached } from '../formula/cache';
import type { MissingValueStrategy, PeriodType, RuleOperator, ValidationRule } from './types';

export type { MissingValueStrategy, RuleImportance, RuleOperator, ValidationRule } from './types';

/** Relative tolerance of rule comparisons, so 0.1 + 0.2 == 0.3 and money sums compare as people expect. */
export const RULE_TOLERANCE = 1e-9;

export interface RuleResult {
  rule: string;
  status: 'PASS' | 'FAIL' | 'SKIPPED';
  /** side values as compared (after the missing-value strategy); null when missing */
  left: number | null;
  right: number | null;
}

export interface Violation {
  /** rule code */
  rule: string;
  name: string;
  importance: ValidationRule['importance'];
  onViolation: ValidationRule['onViolation'];
  operator: RuleOperator;
  /** the side values compared */
  left: number;
  right: number;
  leftExpression: string;
  rightExpression: string;
  message: string;
}

/** Compares with a relative tolerance: a == b when |a - b| <= RULE_TOLERANCE x max(1, |a|, |b|). */
export function compareWithTolerance(left: number, operator: RuleOperator, right: number): boolean {
  const eps = RULE_TOLERANCE * Math.max(1, Math.abs(left), Math.abs(right));
  const equal = Math.abs(left - right) <= eps;
  switch (operator) {
    case '==':
      return equal;
    case '!=':
      return !equal;
    case '<':
      return left < right && !equal;
    case '<=':
      return left < right || equal;
    case '>':
      return left > right && !equal;
    case '>=':
      return left > right || equal;
  }
}

/**
 * Evaluates one rule. Missing data (missingValueStrategy, default SKIP_IF_ANY_VALUE_MISSING):
 * - SKIP_IF_ANY_VALUE_MISSING: a side that evaluates to null (missing data, division by zero) skips the rule;
 * - SKIP_IF_ALL_VALUES_MISSING: skipped only when no referenced value exists; otherwise missing values count as 0;
 * - NEVER_SKIP: missing values count as 0 (a side can still be null through division by zero: then skipped).
 * A rule with no references at all is never skipped for missing data.
 * Throws FormulaError when a side does not parse (validateCatalog reports that beforehand).
 */
export function evaluateRule(rule: ValidationRule, lookup: Lookup): RuleResult {
  const left = parseCached(rule.left);
  const right = parseCached(rule.right);
  const strategy: MissingValueStrategy = rule.missingValueStrategy ?? 'SKIP_IF_ANY_VALUE_MISSING';
  let effective: Lookup = lookup;
  if (strategy !== 'SKIP_IF_ANY_VALUE_MISSING') {
    if (strategy === 'SKIP_IF_ALL_VALUES_MISSING') {
      const refs = [...referencedElements(left), ...referencedElements(right)];
      const anyPresent = refs.some((r) => isPresent(r.optionCombo === undefined ? lookup(r.element) : lookup(r.element, r.optionCombo)));
      if (refs.length > 0 && !anyPresent) return { rule: rule.code, status: 'SKIPPED', left: null, right: null };
    }
    effective = (element, combo) => {
      const v = combo === undefined ? lookup(element) : lookup(element, combo);
      return isPresent(v) ? v : 0;
    };
  }
  const l = evaluate(left, effective);
  const r = evaluate(right, effective);
  if (l === null || r === null) return { rule: rule.code, status: 'SKIPPED', left: l, right: r };
  return { rule: rule.code, status: compareWithTolerance(l, rule.operator, r) ? 'PASS' : 'FAIL', left: l, right: r };
}

function isPresent(v: number | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * The violations of the rules for one unit and period. With `periodType`, rules bound to another
 * period type are not checked. Skipped rules (missing data) are not violations.
 */
export function evaluateRules(rules: readonly ValidationRule[], lookup: Lookup, options: { periodType?: PeriodType } = {}): Violation[] {
  const out: Violation[] = [];
  for (const rule of rules) {
    if (options.periodType !== undefined && rule.periodType !== undefined && rule.periodType !== options.periodType) continue;
    const result = evaluateRule(rule, lookup);
    if (result.status !== 'FAIL') continue;
    const left = result.left as number;
    const right = result.right as number;
    out.push({
      rule: rule.code,
      name: rule.name,
      importance: rule.importance,
      onViolation: rule.onViolation,
      operator: rule.operator,
      left,
      right,
      leftExpression: rule.left,
      rightExpression: rule.right,
      message: `${rule.name}: ${rule.left} ${rule.operator} ${rule.right} fails (${left} ${rule.operator} ${right} is false)`,
    });
  }
  return out;
}

// ---- min/max and outliers ------------------------------------------------------------------------

export interface MinMaxResult {
  status: 'OK' | 'BELOW_MIN' | 'ABOVE_MAX';
  value: number;
  min?: number;
  max?: number;
}

/** Bounds are inclusive: min <= value <= max passes. */
export function minMaxCheck(value: number, bounds: { min?: number; max?: number }): MinMaxResult {
  const base: MinMaxResult = { status: 'OK', value };
  if (bounds.min !== undefined) base.min = bounds.min;
  if (bounds.max !== undefined) base.max = bounds.max;
  if (bounds.min !== undefined && value < bounds.min) return { ...base, status: 'BELOW_MIN' };
  if (bounds.max !== undefined && value > bounds.max) return { ...base, status: 'ABOVE_MAX' };
  return base;
}

export interface OutlierOptions {
  /** |modified z-score| above this is an outlier; default 3 (Iglewicz & Hoaglin suggest 3.5) */
  zThreshold?: number;
  /** fewer finite history values than this: INSUFFICIENT_HISTORY; default 3 */
  minHistory?: number;
}

export interface OutlierResult {
  status: 'OK' | 'OUTLIER' | 'INSUFFICIENT_HISTORY';
  value: number;
  /** modified z-score; null with insufficient history, or when the history has no spread and value differs (infinitely far) */
  score: number | null;
  median: number | null;
  /** median absolute deviation of the history */
  mad: number | null;
  /** the value range that is not an outlier, [median - k x scale, median + k x scale] */
  lower: number | null;
  upper: number | null;
}

/**
 * Robust outlier test of a value against the unit's history (e.g. the same element's previous
 * periods), using the modified z-score z = (value - median) / (1.4826 x MAD), which a few earlier
 * typos cannot distort the way they distort a mean and standard deviation. When MAD is 0 (over
 * half the history identical), the scale falls back to 1.2533 x mean absolute deviation from the
 * median; when that is 0 too (a constant history), any different value is an outlier.
 * Non-finite history values are ignored.
 */
export function outlierCheck(history: readonly number[], value: number, options: OutlierOptions = {}): OutlierResult {
  const zThreshold = options.zThreshold ?? 3;
  const minHistory = options.minHistory ?? 3;
  const h = history.filter((x) => Number.isFinite(x));
  if (h.length < minHistory || h.length === 0) {
    return { status: 'INSUFFICIENT_HISTORY', value, score: null, median: null, mad: null, lower: null, upper: null };
  }
  const med = median(h);
  const deviations = h.map((x) => Math.abs(x - med));
  const mad = median(deviations);
  let scale = 1.4826 * mad;
  if (scale === 0) scale = 1.2533 * (deviations.reduce((a, b) => a + b, 0) / deviations.length);
  if (scale === 0) {
    const same = value === med;
    return { status: same ? 'OK' : 'OUTLIER', value, score: same ? 0 : null, median: med, mad, lower: med, upper: med };
  }
  const score = (value - med) / scale;
  return {
    status: Math.abs(score) > zThreshold ? 'OUTLIER' : 'OK',
    value,
    score,
    median: med,
    mad,
    lower: med - zThreshold * scale,
    upper: med + zThreshold * scale,
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
