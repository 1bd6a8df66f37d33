import { TallyError, type HierarchyQuery, type OrgUnitView } from '@tally/contracts';

/**
 * The units at `level` under (or equal to) a unit, walking down the hierarchy version: the units that report a
 * template whose reporting level it is. Refuses more than `max` (ask per district instead of per country).
 */
export async function reportingUnitsUnder(hierarchy: HierarchyQuery, version: string, root: OrgUnitView, level: string, max: number): Promise<OrgUnitView[]> {
  const out: OrgUnitView[] = [];
  let frontier: OrgUnitView[] = [root];
  while (frontier.length > 0) {
    const next: OrgUnitView[] = [];
    for (const unit of frontier) {
      if (unit.level === level) {
        out.push(unit);
        if (out.length > max) throw new TallyError('INVALID_REQUEST', `more than ${max} units under ${root.code} report at the ${level} level; ask for a lower unit`);
        continue;
      }
      next.push(...(await hierarchy.children(version, unit.code)));
    }
    frontier = next;
  }
  return out.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}
