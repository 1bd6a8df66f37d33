import { OPTION_COMBO_SEPARATOR } from '../catalog/option-combos';
import type { Catalog } from '../catalog/types';

/**
 * An option combination code (TAY_MALE, SAN_CHAY_FEMALE) split into its options, one per category of the combo,
 * in category order. Option codes may hold '_' themselves, so each category's options are matched longest first.
 * ADX writes a combination this way, one attribute per category (SEX="MALE").
 */
export interface ComboPart {
  category: string;
  option: string;
}

export function comboParts(catalog: Pick<Catalog, 'categories' | 'categoryCombos'>, comboCode: string, optionCombo: string): ComboPart[] | undefined {
  const categories = catalog.categoryCombos?.find((c) => c.code === comboCode)?.categories;
  if (!categories) return undefined;
  const parts: ComboPart[] = [];
  let rest = optionCombo;
  for (const [i, categoryCode] of categories.entries()) {
    const options = [...(catalog.categories?.find((c) => c.code === categoryCode)?.options ?? [])].sort((a, b) => b.code.length - a.code.length);
    const last = i === categories.length - 1;
    const hit = options.find((o) => (last ? rest === o.code : rest.startsWith(`${o.code}${OPTION_COMBO_SEPARATOR}`)));
    if (!hit) return undefined;
    parts.push({ category: categoryCode, option: hit.code });
    rest = last ? '' : rest.slice(hit.code.length + 1);
  }
  return parts;
}

/** The option combination of a combo from one option per category (ADX's attributes); undefined when one is missing. */
export function comboFromOptions(catalog: Pick<Catalog, 'categories' | 'categoryCombos'>, comboCode: string, options: Readonly<Record<string, string>>): string | undefined {
  const categories = catalog.categoryCombos?.find((c) => c.code === comboCode)?.categories;
  if (!categories || categories.length === 0) return undefined;
  const picked: string[] = [];
  for (const categoryCode of categories) {
    const option = options[categoryCode];
    const category = catalog.categories?.find((c) => c.code === categoryCode);
    if (option === undefined || !category?.options.some((o) => o.code === option)) return undefined;
    picked.push(option);
  }
  return picked.join(OPTION_COMBO_SEPARATOR);
}
