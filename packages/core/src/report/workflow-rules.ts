import { VN_ROOT } from '../hierarchy/versions';

/**
 * Who may act on a report at which level: the rules ingestion applies to the caller before the decider rules on
 * the transition. A caller acts at their unit's level; a national account (unit 'VN') at the 'national' level,
 * which may act at any level.
 */
export const NATIONAL_LEVEL = 'national';

/** Only reviewers at these levels (or national accounts) unlock a locked report. */
export const UNLOCK_LEVELS: readonly string[] = ['province'];

/** The level a report is locked at: its top approval level ('province' when it has none). */
export function lockLevelOf(levels: readonly string[]): string {
  return levels[levels.length - 1] ?? 'province';
}

/** The level a caller acts at: 'national' for the national unit, else the level of their unit. */
export function actingLevelOf(orgUnit: string, unitLevel: string | undefined): string {
  return orgUnit === VN_ROOT.code ? NATIONAL_LEVEL : (unitLevel ?? 'unknown');
}

/** True when a caller at `actorLevel` (undefined: no authentication) may lock a report with these levels. */
export function mayLock(actorLevel: string | undefined, levels: readonly string[]): boolean {
  return actorLevel === undefined || actorLevel === NATIONAL_LEVEL || actorLevel === lockLevelOf(levels);
}

/** True when a caller at `actorLevel` may unlock a report. */
export function mayUnlock(actorLevel: string | undefined): boolean {
  return actorLevel === undefined || actorLevel === NATIONAL_LEVEL || UNLOCK_LEVELS.includes(actorLevel);
}
