import { checkRules } from '@core/catalog/report-checks';
import { optionCombos } from '@core/catalog/option-combos';
import type { Catalog as CoreCatalog } from '@core/catalog/types';
import type { PeriodType } from '@core/catalog/types';
import type { Catalog, DataElement, DataValue } from './types';

/**
 * The data-entry form generated from the template in force: one field per data element, or a grid of its
 * option combos (first category as rows, the rest as columns); each field's checks while typing (value type,
 * bounds) and the catalog's validation rules evaluated with the platform's own formula code (packages/core).
 */
export interface FormElement {
  element: DataElement;
  /** option combo codes, row-major; empty: one plain field */
  combos: string[];
  rows: Array<{ code: string; name: string }>;
  cols: Array<{ code: string; name: string }>;
}

export const keyOf = (dataElement: string, optionCombo?: string): string => (optionCombo ? `${dataElement}.${optionCombo}` : dataElement);

export function formElements(catalog: Catalog, templateCode: string): FormElement[] {
  const template = catalog.templates.find((t) => t.code === templateCode);
  if (!template) return [];
  const out: FormElement[] = [];
  for (const code of template.dataElements) {
    const element = catalog.dataElements.find((d) => d.code === code);
    if (!element) continue;
    if (!element.categoryCombo) {
      out.push({ element, combos: [], rows: [], cols: [] });
      continue;
    }
    const combo = catalog.categoryCombos?.find((c) => c.code === element.categoryCombo);
    const categories = (combo?.categories ?? []).map((c) => catalog.categories?.find((x) => x.code === c)).filter((c) => c !== undefined);
    const combos = optionCombos(catalog as unknown as CoreCatalog, element.categoryCombo);
    const [first, ...rest] = categories;
    const rows = categories.length > 1 && first ? first.options : [{ code: '', name: '' }];
    const colCats = categories.length > 1 ? rest : categories;
    let cols: Array<{ code: string; name: string }> = [{ code: '', name: '' }];
    for (const c of colCats) cols = cols.flatMap((a) => c.options.map((o) => ({ code: a.code ? `${a.code}_${o.code}` : o.code, name: a.name ? `${a.name} · ${o.name}` : o.name })));
    out.push({ element, combos, rows, cols });
  }
  return out;
}

export type FieldState = Record<string, string>;

/** The values to send: every filled field, typed by its value type (numbers as numbers, BOOLEAN as 1/0). */
export function valuesOf(elements: FormElement[], state: FieldState): DataValue[] {
  const out: DataValue[] = [];
  for (const fe of elements) {
    const keys = fe.combos.length ? fe.combos.map((c) => [keyOf(fe.element.code, c), c] as const) : [[fe.element.code, undefined] as const];
    for (const [key, combo] of keys) {
      const raw = (state[key] ?? '').trim();
      if (raw === '') continue;
      const value = fe.element.valueType === 'TEXT' ? raw.normalize('NFC') : Number(raw.replace(',', '.'));
      out.push(combo ? { dataElement: fe.element.code, optionCombo: combo, value } : { dataElement: fe.element.code, value });
    }
  }
  return out;
}

export interface FieldProblem {
  severity: 'error' | 'warning';
  message: string;
}

/** Checks of one field while typing: its value type, then the element's bounds (a warning, as on the server). */
export function checkField(element: DataElement, raw: string, texts: { notInteger: string; notNumber: string; belowMin: (n: number) => string; aboveMax: (n: number) => string }): FieldProblem | null {
  const v = raw.trim();
  if (v === '' || element.valueType === 'TEXT') return null;
  const n = Number(v.replace(',', '.'));
  if (!Number.isFinite(n)) return { severity: 'error', message: texts.notNumber };
  if ((element.valueType === 'INTEGER' || element.valueType === 'BOOLEAN') && !Number.isInteger(n)) return { severity: 'error', message: texts.notInteger };
  if (element.min !== undefined && n < element.min) return { severity: 'warning', message: texts.belowMin(element.min) };
  if (element.max !== undefined && n > element.max) return { severity: 'warning', message: texts.aboveMax(element.max) };
  return null;
}

export interface RuleProblem {
  rule: string;
  name: string;
  onViolation: 'WARN' | 'REJECT';
  message: string;
  /** the field keys (ELEMENT or ELEMENT.COMBO) the rule reads */
  fields: string[];
}

/** The fields a formula reads: #{ELEMENT} or #{ELEMENT.COMBO}. */
export function referencedKeys(expression: string): string[] {
  return [...expression.matchAll(/#\{([A-Z][A-Z0-9_]*)(?:\.([A-Z][A-Z0-9_]*))?\}/g)].map((m) => keyOf(m[1]!, m[2]));
}

export function checkRulesLive(catalog: Catalog, values: DataValue[], periodType: string): RuleProblem[] {
  const violations = checkRules(catalog as unknown as CoreCatalog, values, { periodType: periodType as PeriodType });
  return violations.map((v) => {
    const rule = catalog.validationRules?.find((r) => r.code === v.rule);
    return { rule: v.rule, name: v.name, onViolation: v.onViolation, message: v.message, fields: rule ? [...referencedKeys(rule.left), ...referencedKeys(rule.right)] : [] };
  });
}

/** Per-field errors from the server's answer: `details.problems[].path` (values[i]...) and `details.violations[].rule`. */
export function serverFieldErrors(catalog: Catalog, sent: DataValue[], details: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (key: string, message: string) => (out[key] ??= []).push(message);
  const d = details as { problems?: Array<{ path?: string; message?: string }>; violations?: Array<{ rule?: string; message?: string }> } | undefined;
  for (const p of d?.problems ?? []) {
    const m = /^values\[(\d+)\]/.exec(p.path ?? '');
    const v = m ? sent[Number(m[1])] : undefined;
    if (v) add(keyOf(v.dataElement, v.optionCombo), p.message ?? '');
  }
  for (const v of d?.violations ?? []) {
    const rule = catalog.validationRules?.find((r) => r.code === v.rule);
    if (!rule) continue;
    for (const key of [...referencedKeys(rule.left), ...referencedKeys(rule.right)]) add(key, v.message ?? rule.name);
  }
  return out;
}
