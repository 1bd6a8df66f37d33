import type { HierarchyQuery, OrgUnitView } from '@tally/contracts';
import type { Hierarchy, HierarchyRegistry, OrgUnit } from '@tally/core';

/** The hierarchy as other services see it, answered from the registry this service owns (as it stands now, when given a function). */
export function hierarchyQueryOf(source: HierarchyRegistry | (() => HierarchyRegistry)): HierarchyQuery {
  const registry = typeof source === 'function' ? source : () => source;
  const version = (id: string): Hierarchy | undefined => registry().get(id);
  return {
    versionFor: async (date) => registry().forDate(date).version.id,
    versions: async () => registry().all().map((h) => ({ ...h.version, levels: [...h.version.levels] })),
    unit: async (hierarchy, code) => {
      const u = version(hierarchy)?.get(code);
      return u ? viewOf(u) : undefined;
    },
    path: async (hierarchy, code) => version(hierarchy)?.pathOf(code).map((u) => u.code) ?? [],
    children: async (hierarchy, code) => version(hierarchy)?.childrenOf(code).map(viewOf) ?? [],
    countAtLevel: async (hierarchy, code, level) => version(hierarchy)?.countDescendantsAtLevel(code, level) ?? 0,
  };
}

export const viewOf = (u: OrgUnit): OrgUnitView => ({ code: u.code, name: u.name, shortName: u.shortName, type: u.type, level: u.level, parentCode: u.parentCode });
