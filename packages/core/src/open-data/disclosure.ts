/**
 * Statistical disclosure control for published tables: the small-cell rule with complementary suppression.
 *
 * Primary suppression: a count cell that is sensitive (the rule applies to it) and whose value is in
 * (0, minCount) (or 0 too, with suppressZero) is withheld, status `C` (SDMX CONF_STATUS "confidential").
 * Complementary (secondary) suppression: a published table has additive relations, `total = sum(members)`
 * (a district and its communes, for one element and period). If exactly one cell of a relation is withheld,
 * it is the total minus the others; so a second cell is withheld too, status `D`: the smallest published
 * non-zero member (a withheld zero hides little; ties: the smaller key), else a zero, else the total. Relations
 * are repeated until each one has zero or at least two withheld cells (each step withholds one more cell, so
 * this ends).
 *
 * Limits (stated in docs/open-data.md): this is the classic per-relation heuristic, not a full audit of the
 * linear system (two relations sharing two withheld cells can, in rare layouts, still be solved), and a
 * relation whose total is published elsewhere and which has a single member cannot be protected here.
 */
export type Confidentiality = 'F' | 'C' | 'D';

export interface DisclosureInputCell {
  key: string;
  value: number | null;
  /** the small-cell rule applies to this cell (a count at a rule level) */
  sensitive: boolean;
}

/** `total = sum(members)`; total null when the total is not in this table (it is published elsewhere, so known). */
export interface AdditiveRelation {
  total: string | null;
  members: string[];
}

export interface SmallCellRule {
  minCount: number;
  suppressZero?: boolean;
}

export function isSmallCount(value: number | null, rule: SmallCellRule): boolean {
  if (value === null) return false;
  return value < rule.minCount && (value > 0 || (rule.suppressZero === true && value === 0));
}

/** The confidentiality status of every cell: F (free), C (primary), D (secondary). */
export function suppressSmallCells(cells: readonly DisclosureInputCell[], relations: readonly AdditiveRelation[], rule: SmallCellRule): Map<string, Confidentiality> {
  const status = new Map<string, Confidentiality>();
  const value = new Map<string, number | null>();
  for (const c of cells) {
    value.set(c.key, c.value);
    status.set(c.key, c.sensitive && isSmallCount(c.value, rule) ? 'C' : 'F');
  }
  const withheld = (k: string | null): boolean => k !== null && status.get(k) !== undefined && status.get(k) !== 'F';
  // only cells of this table take part; an unknown member (no data) is neither published nor withheld
  const live = relations.map((r) => ({ total: r.total !== null && status.has(r.total) ? r.total : null, members: r.members.filter((m) => status.has(m)) }));
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of live) {
      const count = r.members.filter(withheld).length + (withheld(r.total) ? 1 : 0);
      if (count !== 1) continue;
      const candidate = r.members
        .filter((m) => !withheld(m) && value.get(m) !== null)
        .sort((a, b) => Number(value.get(a) === 0) - Number(value.get(b) === 0) || value.get(a)! - value.get(b)! || (a < b ? -1 : a > b ? 1 : 0))[0];
      const pick = candidate ?? (r.total !== null && !withheld(r.total) ? r.total : undefined);
      if (pick === undefined) continue;
      status.set(pick, 'D');
      changed = true;
    }
  }
  return status;
}

/**
 * Indicators computed from withheld counts would give them away (a rate and its denominator reveal the
 * numerator): an indicator cell is withheld (D) when any count it is computed from, at the same unit and
 * period, is withheld in the table or small by the rule.
 */
export function indicatorWithheld(inputs: ReadonlyArray<{ value: number | null; sensitive: boolean; status?: Confidentiality }>, rule: SmallCellRule): boolean {
  return inputs.some((i) => (i.status !== undefined && i.status !== 'F') || (i.sensitive && isSmallCount(i.value, rule)));
}
