/**
 * Rights across map versions. An account's unit is a unit of ONE map version (its "home" map); a code can name
 * different units in two maps (new 2025 commune 23710 is Xã Ia Băng, old 23710 was Xã A Dơk, which went into new
 * 23869), so a target on another map is never matched by its code. It is carried onto the home map through the
 * old-to-new mapping instead: the target's leaf units (communes; an island district without communes) stand for
 * the units of the home map they went into (old -> new) or came from (new -> old), and the account covers the
 * target when every one of those lies in its subtree. A 2025 commune officer therefore covers exactly the old
 * communes merged whole into its commune (one split across several new communes is not its alone), a 2025
 * province covers the old provinces merged into it, and an old district covers the new communes made only of its
 * communes. Pure: the caller looks the units and paths up.
 */
import type { Remapping } from './remapping';

/** Two map versions joined by a mapping of their leaf units (e.g. pre2025 -> 2025). */
export interface MapTransition {
  from: string;
  to: string;
  remapping: Remapping;
}

/** The transition joining two map versions (in either direction), if any. */
export function transitionBetween(transitions: readonly MapTransition[], a: string, b: string): MapTransition | undefined {
  return transitions.find((t) => (t.from === a && t.to === b) || (t.from === b && t.to === a));
}

/**
 * The leaf units of the other map that the given leaf units of map `version` correspond to: the new units they
 * went into (from the old map), or the old units they came from (from the new map). Undefined when one of them has
 * no counterpart: a unit the mapping does not know gives no rights through it.
 */
export function counterpartUnits(t: MapTransition, version: string, leaves: readonly string[]): string[] | undefined {
  if (version !== t.from && version !== t.to) return undefined;
  const out = new Set<string>();
  for (const code of leaves) {
    const others = version === t.from ? (t.remapping.targetsOf(code)?.targets.map((x) => x.newCode) ?? []) : t.remapping.sourcesOf(code).map((r) => r.oldCode);
    if (others.length === 0) return undefined;
    for (const o of others) out.add(o);
  }
  return [...out];
}

/** Whether the account's unit contains every counterpart (given by its path in the account's map: VN first). */
export function coversEvery(accountUnit: string, counterpartPaths: readonly (readonly string[])[]): boolean {
  return counterpartPaths.length > 0 && counterpartPaths.every((path) => path.includes(accountUnit));
}

/**
 * The map an account's unit belongs to: the one in force today when the code exists there, else the newest
 * other map that has it (an account created for a unit of an older map, e.g. a pre-2025 district).
 */
export function homeMapOf(versions: ReadonlyArray<{ id: string; validFrom: string; validTo?: string }>, today: string, has: (version: string) => boolean): string | undefined {
  const inForce = versions.filter((v) => v.validFrom <= today && (v.validTo === undefined || today <= v.validTo));
  const others = versions.filter((v) => !inForce.includes(v)).sort((a, b) => (a.validFrom < b.validFrom ? 1 : -1));
  return [...inForce, ...others].find((v) => has(v.id))?.id;
}
