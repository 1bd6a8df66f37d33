import type { CatalogQuery, HierarchyQuery, OrgUnitView, RollupQuery, RollupView } from '@tally/contracts';
import {
  canonicalCells,
  cellKey,
  datasetElements,
  disclosureElements,
  indicatorWithheld,
  parseCached,
  parsePeriod,
  referencedElements,
  suppressSmallCells,
  type AdditiveRelation,
  type Catalog,
  type DatasetDefinition,
  type ReleaseCell,
} from '@tally/core';

/**
 * Builds a dataset's table from the rollups: one cell per (unit at one of its levels, period, figure), with
 * the small-cell rule applied before anything leaves the service. The same code feeds live previews and
 * releases, so what a release freezes is exactly what the preview showed.
 */
export interface AssembleDeps {
  catalog: CatalogQuery;
  hierarchy: HierarchyQuery;
  rollups: RollupQuery;
}

export interface AssembledTable {
  cells: ReleaseCell[];
  /** the highest event position the rollups reflected */
  position: number;
}

interface UnitRow {
  unit: OrgUnitView;
  /** codes from VN down to the unit's parent */
  ancestors: string[];
  rollup: RollupView;
}

/**
 * The units at the dataset's levels that have data for the period, each with its ancestors and rollup. A unit
 * without data has none below it either (rollups sum up), so the walk skips its subtree: a commune-level table
 * costs as many rollup reads as there are units with data, not the 10,000 communes of the country.
 */
async function rowsWithData(def: DatasetDefinition, deps: AssembleDeps, version: string, period: string, asOf: string | undefined): Promise<{ rows: UnitRow[]; position: number }> {
  const all = (await deps.hierarchy.versions()).find((v) => v.id === version)?.levels ?? [];
  const deepest = Math.max(...def.levels.map((l) => all.indexOf(l)));
  const rows: UnitRow[] = [];
  let position = 0;
  const root = await deps.hierarchy.unit(version, 'VN');
  if (!root || deepest < 0) return { rows, position };
  const hasData = (rollup: RollupView): boolean =>
    def.templates.length > 0 ? def.templates.some((t) => (rollup.completeness[t]?.received ?? 0) > 0) : Object.keys(rollup.dataElements).length > 0;
  const walk = async (unit: OrgUnitView, ancestors: string[], depth: number): Promise<void> => {
    const rollup = await deps.rollups.rollup({ orgUnit: unit.code, period, hierarchy: version, figures: def.figures, ...(asOf ? { asOf } : {}) });
    position = Math.max(position, rollup.position);
    if (!hasData(rollup)) return;
    if (def.levels.includes(unit.level)) rows.push({ unit, ancestors, rollup });
    if (depth >= deepest) return;
    for (const child of await deps.hierarchy.children(version, unit.code)) await walk(child, [...ancestors, unit.code], depth + 1);
  };
  await walk(root, [], 0);
  return { rows, position };
}

export async function assembleTable(def: DatasetDefinition, deps: AssembleDeps, periods: readonly string[], asOf?: string): Promise<AssembledTable> {
  const cells: ReleaseCell[] = [];
  let position = 0;
  for (const period of periods) {
    const p = parsePeriod(period);
    if (!p) continue;
    const hierarchy = await deps.hierarchy.versionFor(p.endDate);
    const catalog = await deps.catalog.catalogFor(p.endDate);
    if (!catalog) continue;
    const found = await rowsWithData(def, deps, hierarchy, period, asOf);
    position = Math.max(position, found.position);
    cells.push(...periodCells(def, catalog, hierarchy, period, found.rows));
  }
  return { cells: canonicalCells(cells), position };
}

/** One period's cells, disclosure control applied. */
function periodCells(def: DatasetDefinition, catalog: Catalog, hierarchy: string, period: string, rows: UnitRow[]): ReleaseCell[] {
  const elements = new Set(datasetElements(def, catalog));
  const elementNames = new Map(catalog.dataElements.map((e) => [e.code, e.name]));
  const base = (row: UnitRow) => ({ hierarchy, unit: row.unit.code, unitName: row.unit.name, level: row.unit.level, period });
  const rule = def.disclosure;
  const sensitiveElements = rule ? disclosureElements(rule, catalog) : new Set<string>();
  const isSensitive = (level: string, item: string): boolean => rule !== null && rule.levels.includes(level) && sensitiveElements.has(item.split('.')[0]!);

  const elementCells: ReleaseCell[] = [];
  for (const row of rows) {
    for (const [item, value] of Object.entries(row.rollup.dataElements)) {
      const element = item.split('.')[0]!;
      if (!elements.has(element)) continue;
      elementCells.push({ ...base(row), kind: 'element', item, itemName: elementNames.get(element) ?? element, value, conf: 'F' });
    }
  }
  let status = new Map<string, 'F' | 'C' | 'D'>();
  if (rule) {
    status = suppressSmallCells(
      elementCells.map((c) => ({ key: cellKey(c), value: c.value, sensitive: isSensitive(c.level, c.item) })),
      additiveRelations(elementCells, rows, sensitiveElements, hierarchy, period),
      rule,
    );
  }
  const out = elementCells.map((c) => {
    const conf = status.get(cellKey(c)) ?? 'F';
    return conf === 'F' ? c : { ...c, value: null, conf };
  });

  for (const code of def.indicators) {
    const indicator = catalog.indicators.find((i) => i.code === code);
    if (!indicator) continue;
    const refs = [...referencedElements(parseCached(indicator.numerator)), ...referencedElements(parseCached(indicator.denominator))];
    for (const row of rows) {
      const value = row.rollup.indicators[code]?.value ?? null;
      if (value === null) continue;
      const withheld =
        rule !== null &&
        indicatorWithheld(
          refs.map((r) => {
            const item = r.optionCombo ? `${r.element}.${r.optionCombo}` : r.element;
            const key = cellKey({ hierarchy, unit: row.unit.code, period, item });
            return { value: row.rollup.dataElements[item] ?? null, sensitive: isSensitive(row.unit.level, item), ...(status.has(key) ? { status: status.get(key)! } : {}) };
          }),
          rule,
        );
      out.push({ ...base(row), kind: 'indicator', item: code, itemName: indicator.name, value: withheld ? null : value, conf: withheld ? 'D' : 'F' });
    }
  }
  return out;
}

/**
 * The sums a reader could use to recover a withheld count: a unit's total and its children's cells (the
 * parent's own cell when the table has it; otherwise it is treated as published elsewhere), the same with the
 * nearest ancestor in the table, and an element's total and its disaggregations.
 */
function additiveRelations(cells: ReleaseCell[], rows: UnitRow[], sensitive: Set<string>, hierarchy: string, period: string): AdditiveRelation[] {
  const inTable = new Set(rows.map((r) => r.unit.code));
  const groups = new Map<string, AdditiveRelation>();
  const add = (groupKey: string, total: string | null, member: string) => {
    const g = groups.get(groupKey) ?? { total, members: [] };
    g.members.push(member);
    groups.set(groupKey, g);
  };
  const ancestorsOf = new Map(rows.map((r) => [r.unit.code, r.ancestors]));
  for (const c of cells) {
    if (!sensitive.has(c.item.split('.')[0]!)) continue;
    const key = cellKey(c);
    const ancestors = ancestorsOf.get(c.unit) ?? [];
    const parent = ancestors[ancestors.length - 1];
    if (parent) add(`u|${parent}|${c.item}`, inTable.has(parent) ? cellKey({ hierarchy, unit: parent, period, item: c.item }) : null, key);
    const nearest = [...ancestors].reverse().find((a) => inTable.has(a));
    if (nearest && nearest !== parent) add(`a|${nearest}|${c.item}`, cellKey({ hierarchy, unit: nearest, period, item: c.item }), key);
    const [element, combo] = c.item.split('.');
    if (combo) add(`e|${c.unit}|${element}`, cellKey({ hierarchy, unit: c.unit, period, item: element! }), key);
  }
  return [...groups.values()];
}
