import { optionCombos } from '../catalog/option-combos';
import type { Catalog, DataElement } from '../catalog/types';

/**
 * The rows of a template's data entry form, in the template's order: one row per data element that is not
 * disaggregated, and for a disaggregated one a row per option combination, then its total (left blank, the
 * total is the sum of the combinations; filled, it is reported as given).
 */
export interface FormRow {
  dataElement: string;
  /** absent: the element's total */
  optionCombo?: string;
  element: DataElement;
  /** the option names of the combination, in category order (e.g. "Tày / Nam") */
  optionLabel?: string;
}

export function formRows(catalog: Catalog, templateCode: string): FormRow[] | undefined {
  const template = catalog.templates.find((t) => t.code === templateCode);
  if (!template) return undefined;
  const elements = new Map(catalog.dataElements.map((e) => [e.code, e]));
  const optionNames = new Map<string, string>();
  for (const c of catalog.categories ?? []) for (const o of c.options) optionNames.set(`${c.code}:${o.code}`, o.name);
  const rows: FormRow[] = [];
  for (const code of template.dataElements) {
    const element = elements.get(code);
    if (!element) continue;
    if (!element.categoryCombo) {
      rows.push({ dataElement: code, element });
      continue;
    }
    const categories = catalog.categoryCombos?.find((c) => c.code === element.categoryCombo)?.categories ?? [];
    for (const combo of optionCombos(catalog, element.categoryCombo)) {
      const parts = combo.split('_');
      rows.push({ dataElement: code, optionCombo: combo, element, optionLabel: labelOf(combo, categories, catalog, optionNames) ?? parts.join(' / ') });
    }
    rows.push({ dataElement: code, element });
  }
  return rows;
}

/** Option codes may themselves hold '_' (SAN_CHAY): match each category's options in order, longest first. */
function labelOf(combo: string, categories: readonly string[], catalog: Catalog, names: Map<string, string>): string | undefined {
  const labels: string[] = [];
  let rest = combo;
  for (const [i, categoryCode] of categories.entries()) {
    const options = [...(catalog.categories?.find((c) => c.code === categoryCode)?.options ?? [])].sort((a, b) => b.code.length - a.code.length);
    const last = i === categories.length - 1;
    const hit = options.find((o) => (last ? rest === o.code : rest.startsWith(`${o.code}_`)));
    if (!hit) return undefined;
    labels.push(names.get(`${categoryCode}:${hit.code}`) ?? hit.code);
    rest = last ? '' : rest.slice(hit.code.length + 1);
  }
  return labels.join(' / ');
}
