/**
 * The two maps of Vietnam's administrative units the product ships (data/vn-admin).
 */
import type { HierarchyVersion } from './types';

/** Code and name of the national root added above the provinces. */
export const VN_ROOT = Object.freeze({ code: 'VN', name: 'Việt Nam', type: 'Quốc gia' });

/**
 * The 3-level map in force until 30 June 2025. The data is the snapshot after NQ 1365/NQ-UBTVQH15
 * (effective 2025-03-01); it is used for every date up to 2025-06-30 (the program's reports since 2021),
 * since earlier district/commune mergers are not modelled. validFrom is therefore 2000-01-01.
 */
export const VN_PRE2025: HierarchyVersion = Object.freeze({
  id: 'pre2025',
  name: 'Vietnam, 3 levels (until 2025-06-30)',
  validFrom: '2000-01-01',
  validTo: '2025-06-30',
  snapshotDate: '2025-03-01',
  legalBasis: 'NQ 1365/NQ-UBTVQH15',
  levels: Object.freeze(['country', 'province', 'district', 'commune']) as unknown as string[],
});

/**
 * Which map succeeds which (a report on the older map is read on the newer one through the shipped old->new
 * mapping, data/vn-admin/vn_admin_2025_old_to_new.csv).
 */
export const MAP_SUCCESSION: ReadonlyArray<{ from: string; to: string }> = Object.freeze([Object.freeze({ from: 'pre2025', to: '2025' })]);

/** The 2-level map from 1 July 2025 (no districts). */
export const VN_2025: HierarchyVersion = Object.freeze({
  id: '2025',
  name: 'Vietnam, 2 levels (from 2025-07-01)',
  validFrom: '2025-07-01',
  legalBasis: 'Decision 19/2025/QĐ-TTg; NQ 1654-1687/NQ-UBTVQH15',
  levels: Object.freeze(['country', 'province', 'commune']) as unknown as string[],
});

export const VN_HIERARCHY_VERSIONS: readonly HierarchyVersion[] = Object.freeze([VN_PRE2025, VN_2025]);
