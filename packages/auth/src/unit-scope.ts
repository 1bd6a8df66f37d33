import type { HierarchyQuery } from '@tally/contracts';
import { VN_2025, VN_PRE2025, counterpartUnits, coversEvery, homeMapOf, transitionBetween, type MapTransition } from '@tally/core';
import { loadRemapping } from '@tally/reference-data';

/**
 * Whether an account's unit covers a target unit, on the same map or across two maps (see core's
 * cross-map-scope.ts for the rule). The answer names the map the account's unit was read in and the map of the
 * target, so the audit can say which version the check used.
 */
export type ScopeVerdict = { ok: true; unitHierarchy: string; checkedIn: string } | { ok: false; reason: string };

let transitions: MapTransition[] | undefined;
/** The shipped old-to-new mapping (pre2025 -> 2025), read once, when a check first crosses maps. */
const mapTransitions = (): MapTransition[] => (transitions ??= [{ from: VN_PRE2025.id, to: VN_2025.id, remapping: loadRemapping() }]);

export async function unitScope(hierarchy: HierarchyQuery, accountUnit: string, target: { unit: string; hierarchy: string }, today = new Date().toISOString().slice(0, 10)): Promise<ScopeVerdict> {
  const versions = await hierarchy.versions();
  const known = new Set<string>();
  for (const v of versions) if (await hierarchy.unit(v.id, accountUnit).catch(() => undefined)) known.add(v.id);
  const home = homeMapOf(versions, today, (id) => known.has(id));
  const outside: ScopeVerdict = { ok: false, reason: `${target.unit} is outside your org unit ${accountUnit}` };
  if (!home) return outside;
  if (home === target.hierarchy) {
    const path = await hierarchy.path(target.hierarchy, target.unit).catch(() => [] as string[]);
    return path.includes(accountUnit) ? { ok: true, unitHierarchy: home, checkedIn: home } : outside;
  }
  const crossed: ScopeVerdict = {
    ok: false,
    reason: `${target.unit} of map ${target.hierarchy} is outside your org unit ${accountUnit} of map ${home} (through the old-to-new mapping)`,
  };
  const transition = transitionBetween(mapTransitions(), home, target.hierarchy);
  if (!transition || target.unit === 'VN') return crossed;
  const leaves = await leavesOf(hierarchy, target.hierarchy, target.unit);
  const counterparts = leaves.length > 0 ? counterpartUnits(transition, target.hierarchy, leaves) : undefined;
  if (!counterparts) return crossed;
  for (const code of counterparts) {
    // one counterpart outside the subtree settles it: stop looking up the others
    const path = await hierarchy.path(home, code).catch(() => [] as string[]);
    if (!coversEvery(accountUnit, [path])) return crossed;
  }
  return { ok: true, unitHierarchy: home, checkedIn: target.hierarchy };
}

/** The unit's leaf units (those without children: communes, or an island district without communes); [] when unknown. */
async function leavesOf(hierarchy: HierarchyQuery, version: string, code: string): Promise<string[]> {
  if (!(await hierarchy.unit(version, code).catch(() => undefined))) return [];
  const out: string[] = [];
  const stack = [code];
  while (stack.length > 0) {
    const next = stack.pop()!;
    const children = await hierarchy.children(version, next).catch(() => []);
    if (children.length === 0) out.push(next);
    else for (const c of children) stack.push(c.code);
  }
  return out;
}
