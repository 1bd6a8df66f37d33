import type { DataElement } from '../catalog/types';
import type { DataValue } from '../report/events';

/**
 * What one report adds to every rollup cell it reaches: numeric values keyed by
 * `ELEMENT` (the element's total) and `ELEMENT:OPTIONCOMBO` (one disaggregation; ":" because "." is a path separator in document stores).
 * A total not given explicitly is the sum of its disaggregated values, so "totals and any single category roll up".
 */
export type ReportContribution = Record<string, number>;

export function contributionOf(values: DataValue[], elements: ReadonlyMap<string, DataElement>): ReportContribution {
  const out: ReportContribution = {};
  const explicitTotals = new Set<string>();
  const optionSums: Record<string, number> = {};
  for (const v of values) {
    const element = elements.get(v.dataElement);
    if (!element || element.aggregation === 'NONE') continue;
    const n = numericValue(v.value);
    if (n === null) continue;
    if (v.optionCombo === undefined) {
      out[v.dataElement] = n;
      explicitTotals.add(v.dataElement);
    } else {
      out[contributionKey(v.dataElement, v.optionCombo)] = n;
      optionSums[v.dataElement] = (optionSums[v.dataElement] ?? 0) + n;
    }
  }
  for (const [element, sum] of Object.entries(optionSums)) {
    if (!explicitTotals.has(element)) out[element] = sum;
  }
  return out;
}

function numericValue(value: DataValue['value']): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return null;
}

/** The change from one contribution to the next: what a rollup must add (and subtract) to stay exact. */
export interface ContributionDelta {
  /** added to each key's sum */
  sums: Record<string, number>;
  /** added to each key's count of contributing reports (for averages) */
  counts: Record<string, number>;
}

export function diffContributions(previous: ReportContribution | null, next: ReportContribution | null): ContributionDelta {
  const sums: Record<string, number> = {};
  const counts: Record<string, number> = {};
  const keys = new Set([...Object.keys(previous ?? {}), ...Object.keys(next ?? {})]);
  for (const key of keys) {
    const before = previous?.[key];
    const after = next?.[key];
    const ds = (after ?? 0) - (before ?? 0);
    if (ds !== 0) sums[key] = ds;
    const dc = (after === undefined ? 0 : 1) - (before === undefined ? 0 : 1);
    if (dc !== 0) counts[key] = dc;
  }
  return { sums, counts };
}

export const isEmptyDelta = (d: ContributionDelta): boolean => Object.keys(d.sums).length === 0 && Object.keys(d.counts).length === 0;

export const contributionKey = (element: string, optionCombo?: string): string => (optionCombo ? `${element}:${optionCombo}` : element);

/** The API and the formula language write a disaggregation as ELEMENT.OPTIONCOMBO. */
export const publicKey = (key: string): string => key.replace(':', '.');
