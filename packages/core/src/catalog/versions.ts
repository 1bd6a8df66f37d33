import type { Catalog } from './types';

/**
 * The catalog version in force on a date (ISO `YYYY-MM-DD`; a longer ISO timestamp is cut to its date):
 * among catalogs with effectiveFrom <= date (absent = since always) and date <= effectiveTo (absent =
 * open-ended, both inclusive), the one with the latest effectiveFrom. Two candidates with the same
 * effectiveFrom are told apart by `version`, compared numerically where it holds numbers (so "10" > "9");
 * the greater wins. Undefined when no catalog is in force.
 */
export function catalogInForce<C extends Pick<Catalog, 'version' | 'effectiveFrom' | 'effectiveTo'>>(catalogs: readonly C[], date: string): C | undefined {
  const day = date.slice(0, 10);
  let best: C | undefined;
  for (const c of catalogs) {
    if (c.effectiveFrom !== undefined && c.effectiveFrom > day) continue;
    if (c.effectiveTo !== undefined && c.effectiveTo < day) continue;
    if (!best || compareStart(c, best) > 0) best = c;
  }
  return best;
}

function compareStart(a: Pick<Catalog, 'version' | 'effectiveFrom'>, b: Pick<Catalog, 'version' | 'effectiveFrom'>): number {
  const fa = a.effectiveFrom ?? '';
  const fb = b.effectiveFrom ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  return a.version.localeCompare(b.version, 'en', { numeric: true });
}
