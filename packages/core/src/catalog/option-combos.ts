import type { Catalog } from './types';

/** Option combo code: the combo's options, in category order, joined by '_' (e.g. KINH_MALE). */
export const OPTION_COMBO_SEPARATOR = '_';

/**
 * The option combo codes of a category combo: the cartesian product of its categories' options, the
 * first category varying slowest (ETHNIC_GROUP x SEX -> KINH_MALE, KINH_FEMALE, TAY_MALE, ...).
 * Returns [] for an unknown combo or one naming an unknown category (validateCatalog reports those).
 */
export function optionCombos(catalog: Pick<Catalog, 'categories' | 'categoryCombos'>, comboCode: string): string[] {
  const combo = catalog.categoryCombos?.find((c) => c.code === comboCode);
  if (!combo) return [];
  const optionLists: string[][] = [];
  for (const categoryCode of combo.categories) {
    const category = catalog.categories?.find((c) => c.code === categoryCode);
    if (!category) return [];
    optionLists.push(category.options.map((o) => o.code));
  }
  return cartesianCodes(optionLists);
}

export function cartesianCodes(optionLists: readonly (readonly string[])[]): string[] {
  if (optionLists.length === 0) return [];
  let acc: string[] = [''];
  for (const [i, options] of optionLists.entries()) {
    const next: string[] = [];
    for (const prefix of acc) for (const o of options) next.push(i === 0 ? o : `${prefix}${OPTION_COMBO_SEPARATOR}${o}`);
    acc = next;
  }
  return acc;
}
