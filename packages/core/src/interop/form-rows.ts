import { optionCombos } from '../catalog/option-combos';
import type { Catalog, DataElement } from '../catalog/types';
import { comboParts } from './combo-options';

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
    for (const combo of optionCombos(catalog, element.categoryCombo)) {
      rows.push({ dataElement: code, optionCombo: combo, element, optionLabel: labelOf(combo, element.categoryCombo, catalog, optionNames) ?? combo });
    }
    rows.push({ dataElement: code, element });
  }
  return rows;
}

function labelOf(combo: string, comboCode: string, catalog: Catalog, names: Map<string, string>): string | undefined {
  return comboParts(catalog, comboCode, combo)
    ?.map((p) => names.get(`${p.category}:${p.option}`) ?? p.option)
    .join(' / ');
}
