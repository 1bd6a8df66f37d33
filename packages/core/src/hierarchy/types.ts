/**
 * A versioned administrative hierarchy. The levels are data, not code: before 1 July 2025 Vietnam had
 * country > province > district > commune, from 1 July 2025 country > province > commune.
 * Codes are reused across versions (05611 is 'Thị trấn Đu' pre-2025 and 'Xã Phú Lương' in 2025), so a
 * unit is only identified by (hierarchy version, code).
 */
export interface HierarchyVersion {
  /** e.g. 'pre2025', '2025' */
  id: string;
  /** ISO date (inclusive) from which this map is in force */
  validFrom: string;
  /** ISO date (inclusive) until which it is in force; absent = open-ended */
  validTo?: string;
  /** level names from the root down, e.g. ['country', 'province', 'district', 'commune'] */
  levels: string[];
  /** human-readable label */
  name?: string;
  /** the legal act(s) the map reflects */
  legalBasis?: string;
  /** the date the data snapshot reflects, if different from validFrom */
  snapshotDate?: string;
}

export interface OrgUnit {
  /** GSO code as text (leading zeros kept); the national root is 'VN' */
  code: string;
  /** official full name incl. type prefix, NFC, e.g. 'Huyện Phú Lương' */
  name: string;
  /** name minus the type prefix, e.g. 'Phú Lương' */
  shortName: string;
  /** Vietnamese unit type, e.g. 'Tỉnh', 'Huyện', 'Xã', 'Phường', 'Đặc khu' */
  type: string;
  /** one of the version's levels */
  level: string;
  /** null only for the root */
  parentCode: string | null;
}

/** Input for a new unit: shortName is derived from name and type when absent. */
export interface OrgUnitInput {
  code: string;
  name: string;
  type: string;
  level: string;
  parentCode: string | null;
  shortName?: string;
}

/**
 * Mutation events applied with Hierarchy.withChange. Each returns a new Hierarchy; the original is untouched.
 * - rename: new name (and optionally type), shortName recomputed.
 * - move: re-parent a unit (the new parent must sit at a higher level).
 * - create: add a unit under an existing parent.
 * - retire: remove a unit that has no children (move or retire its children first).
 * - merge: the units `codes` are merged into `into` (an existing unit at the same level): their children
 *   are moved under `into`, then they are retired. Merging communes (leaves) just retires them; their
 *   data is carried over by a Remapping, not by the hierarchy.
 * - split: `code` is split into `parts` (new units at the same level, under the same parent unless a part
 *   says otherwise); every child of `code` must be assigned to a part in `assign` (child code -> part code);
 *   then `code` is retired unless one of the parts reuses its code (then it is kept and renamed/retyped).
 */
export type HierarchyChange =
  | { kind: 'rename'; code: string; name: string; type?: string }
  | { kind: 'move'; code: string; newParentCode: string }
  | { kind: 'create'; unit: OrgUnitInput }
  | { kind: 'retire'; code: string }
  | { kind: 'merge'; codes: string[]; into: string }
  | {
      kind: 'split';
      code: string;
      parts: Array<{ code: string; name: string; type: string; parentCode?: string }>;
      assign?: Record<string, string>;
    };
