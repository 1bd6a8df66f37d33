import type { Lookup } from '../formula/evaluate';
import type { Catalog, DataElement, PeriodType, RuleImportance, RuleOperator } from './types';
import { evaluateRules, minMaxCheck, outlierCheck, type OutlierOptions } from './validation-rules';

/**
 * The checks one report's values go through at the reporting unit: validation rules, min/max bounds and
 * outliers against the unit's own history. Pure; the services decide what to do with the violations
 * (ingestion refuses REJECT rules, the indicator service records the rest as events).
 */
export interface ReportedValue {
  dataElement: string;
  optionCombo?: string;
  value: number | string | boolean;
}

export type CheckKind = 'RULE' | 'MIN_MAX' | 'OUTLIER';

export interface ReportViolation {
  kind: CheckKind;
  /** the rule code; for MIN_MAX and OUTLIER the data element code (`ELEMENT` or `ELEMENT.COMBO`) */
  rule: string;
  name: string;
  /** the data element's own name (MIN_MAX, OUTLIER: `name` is it plus what the check is); null for a rule */
  elementName: string | null;
  importance: RuleImportance;
  onViolation: 'WARN' | 'REJECT';
  /** what was compared: `left operator right` should have held */
  left: number;
  operator: RuleOperator;
  right: number;
  message: string;
}

/**
 * What the min/max and outlier checks add to an element's name to name the check. Events recorded before
 * `elementName` existed hold the element's name only this way (the validated event's upcaster strips them).
 */
export const CHECK_NAME_SUFFIX = { min: ': minimum', max: ': maximum', outlier: ": outlier against the unit's history" } as const;

const numberOf = (v: ReportedValue['value']): number | null =>
  typeof v === 'number' ? (Number.isFinite(v) ? v : null) : typeof v === 'boolean' ? (v ? 1 : 0) : null;

/**
 * Each element's total in one report: the value given without an option combo, else the sum of its
 * option combos. Text values have no number. Keys: `ELEMENT` and `ELEMENT.COMBO`.
 */
export function reportTotals(values: readonly ReportedValue[]): Record<string, number> {
  const out: Record<string, number> = {};
  const explicit = new Set<string>();
  const sums: Record<string, number> = {};
  for (const v of values) {
    const n = numberOf(v.value);
    if (n === null) continue;
    if (v.optionCombo === undefined) {
      out[v.dataElement] = n;
      explicit.add(v.dataElement);
    } else {
      out[`${v.dataElement}.${v.optionCombo}`] = n;
      sums[v.dataElement] = (sums[v.dataElement] ?? 0) + n;
    }
  }
  for (const [element, sum] of Object.entries(sums)) if (!explicit.has(element)) out[element] = sum;
  return out;
}

/** A formula lookup over one report's values (see reportTotals). */
export function reportLookup(values: readonly ReportedValue[]): Lookup {
  const totals = reportTotals(values);
  return (element, optionCombo) => totals[optionCombo === undefined ? element : `${element}.${optionCombo}`];
}

/** The catalog's validation rules broken by one report (only `onViolation` ones when given; rules of another period type are not checked). */
export function checkRules(
  catalog: Catalog,
  values: readonly ReportedValue[],
  options: { periodType?: PeriodType; onViolation?: 'WARN' | 'REJECT' } = {},
): ReportViolation[] {
  const rules = (catalog.validationRules ?? []).filter((r) => options.onViolation === undefined || r.onViolation === options.onViolation);
  if (rules.length === 0) return [];
  return evaluateRules(rules, reportLookup(values), options.periodType ? { periodType: options.periodType } : {}).map((v) => ({
    kind: 'RULE',
    rule: v.rule,
    name: v.name,
    elementName: null,
    importance: v.importance,
    onViolation: v.onViolation,
    left: v.left,
    operator: v.operator,
    right: v.right,
    message: v.message,
  }));
}

/**
 * Values outside their element's [min, max] (bounds inclusive; each option combo and each given total is checked),
 * with the element's `onOutOfRange` (default WARN; REJECT ones are refused at submission, so met here only in
 * reports accepted before the element was made blocking).
 */
export function checkMinMax(catalog: Catalog, values: readonly ReportedValue[]): ReportViolation[] {
  const elements = new Map(catalog.dataElements.map((e) => [e.code, e]));
  const out: ReportViolation[] = [];
  for (const v of values) {
    const el = elements.get(v.dataElement);
    if (!el || (el.min === undefined && el.max === undefined)) continue;
    const n = numberOf(v.value);
    if (n === null) continue;
    const r = minMaxCheck(n, { ...(el.min !== undefined ? { min: el.min } : {}), ...(el.max !== undefined ? { max: el.max } : {}) });
    if (r.status === 'OK') continue;
    const key = v.optionCombo === undefined ? v.dataElement : `${v.dataElement}.${v.optionCombo}`;
    const below = r.status === 'BELOW_MIN';
    const bound = (below ? el.min : el.max) as number;
    out.push({
      kind: 'MIN_MAX',
      rule: key,
      name: `${el.name}${below ? CHECK_NAME_SUFFIX.min : CHECK_NAME_SUFFIX.max}`,
      elementName: el.name,
      importance: 'MEDIUM',
      onViolation: el.onOutOfRange ?? 'WARN',
      left: n,
      operator: below ? '>=' : '<=',
      right: bound,
      message: `${el.name} (${key}) = ${n} is ${below ? 'below the minimum' : 'above the maximum'} ${bound}`,
    });
  }
  return out;
}

const round = (x: number): number => Math.round(x * 100) / 100;

/**
 * Each element with `outlierCheck` whose total in this report is an outlier against `historyOf(element)`
 * (the same unit's earlier values of the element; see outlierCheck). Always WARN.
 */
export function checkOutliers(
  catalog: Catalog,
  totals: Readonly<Record<string, number>>,
  historyOf: (element: string) => readonly number[],
  options: OutlierOptions = {},
): ReportViolation[] {
  const out: ReportViolation[] = [];
  for (const el of catalog.dataElements as DataElement[]) {
    if (!el.outlierCheck) continue;
    const value = totals[el.code];
    if (value === undefined) continue;
    const r = outlierCheck(historyOf(el.code), value, options);
    if (r.status !== 'OUTLIER' || r.lower === null || r.upper === null || r.median === null) continue;
    const above = value > r.upper;
    const bound = above ? r.upper : r.lower;
    out.push({
      kind: 'OUTLIER',
      rule: el.code,
      name: `${el.name}${CHECK_NAME_SUFFIX.outlier}`,
      elementName: el.name,
      importance: 'LOW',
      onViolation: 'WARN',
      left: value,
      operator: above ? '<=' : '>=',
      right: round(bound),
      message: `${el.name} (${el.code}) = ${value} is far from this unit's earlier values (median ${round(r.median)}, expected ${round(r.lower)}..${round(r.upper)})`,
    });
  }
  return out;
}
