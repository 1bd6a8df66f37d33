import type { Confidentiality } from './disclosure';

/**
 * One cell of a published table: a figure (data element or indicator) for a unit and a period, read on a
 * hierarchy version. A release freezes its cells (names included: a later rename does not rewrite history).
 */
export interface ReleaseCell {
  hierarchy: string;
  unit: string;
  unitName: string;
  level: string;
  period: string;
  kind: 'element' | 'indicator';
  /** data element code (ELEMENT or ELEMENT.OPTIONCOMBO) or indicator code */
  item: string;
  itemName: string;
  /** null when withheld (conf C or D) */
  value: number | null;
  conf: Confidentiality;
  /** against the previous release: a cell it did not have, or one whose value or status changed; absent = unchanged (or release 1) */
  revision?: 'new' | 'revised';
  /** the release in which the cell got its current value and status (set by the release; for `updatedAfter`) */
  changedIn?: number;
}

export const cellKey = (c: Pick<ReleaseCell, 'hierarchy' | 'unit' | 'period' | 'item'>): string => `${c.hierarchy}|${c.unit}|${c.period}|${c.item}`;

const byKey = (a: ReleaseCell, b: ReleaseCell): number => {
  const ka = cellKey(a);
  const kb = cellKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/** Cells in their canonical order (by key), without revision flags: what a content hash is computed over. */
export function canonicalCells(cells: readonly ReleaseCell[]): ReleaseCell[] {
  return cells.map(({ revision: _revision, changedIn: _changedIn, ...c }) => c).sort(byKey);
}

/** The canonical text of a table (stable key order in each cell), for hashing. */
export function canonicalText(cells: readonly ReleaseCell[]): string {
  return canonicalCells(cells)
    .map((c) => JSON.stringify([c.hierarchy, c.unit, c.unitName, c.level, c.period, c.kind, c.item, c.itemName, c.value, c.conf]))
    .join('\n');
}

export interface RevisionSummary {
  cells: ReleaseCell[];
  added: number;
  revised: number;
  /** keys of cells the previous release had and this one does not */
  removed: string[];
}

/**
 * Flags each cell against the previous release: `new` when the previous release lacks it, `revised` when its
 * value or confidentiality changed; unchanged cells carry no flag. Without a previous release nothing is flagged.
 * Every cell also says in which release it last changed (`changedIn`).
 */
export function flagRevisions(previous: ReadonlyMap<string, ReleaseCell> | null, cells: readonly ReleaseCell[], release = 1): RevisionSummary {
  const ordered = canonicalCells(cells);
  if (!previous) return { cells: ordered.map((c) => ({ ...c, changedIn: release })), added: 0, revised: 0, removed: [] };
  let added = 0;
  let revised = 0;
  const seen = new Set<string>();
  const out = ordered.map((c) => {
    const key = cellKey(c);
    seen.add(key);
    const before = previous.get(key);
    if (!before) {
      added++;
      return { ...c, revision: 'new' as const, changedIn: release };
    }
    if (before.value !== c.value || before.conf !== c.conf) {
      revised++;
      return { ...c, revision: 'revised' as const, changedIn: release };
    }
    return { ...c, changedIn: before.changedIn ?? release };
  });
  const removed = [...previous.keys()].filter((k) => !seen.has(k)).sort();
  return { cells: out, added, revised, removed };
}
