/**
 * Which rollup cells a report reaches: its unit and every ancestor up to the national root,
 * crossed with its period and every coarser period. Cost: depth x period levels, never a subtree.
 */
export interface RollupCellKey {
  orgUnit: string;
  period: string;
}

export function rollupTargets(unitPath: readonly string[], periods: readonly string[]): RollupCellKey[] {
  const out: RollupCellKey[] = [];
  for (const orgUnit of unitPath) for (const period of periods) out.push({ orgUnit, period });
  return out;
}
