import type { CellState, FoldEntry, FoldDelta } from '@tally/core';
import type { Doc } from '@tally/readstore';

/**
 * A rollup cell: the running state of one (hierarchy, figures, unit, period), split by bus partition.
 * Each partition's consumer is the only writer of its share, in position order, so a position guard makes
 * every write idempotent without any cross-partition coordination; a read merges the shares (at most one per
 * partition). The state's fields (sums, counts, usums, units, mins, maxs, received, onTime, estimates) are
 * described in packages/core/src/rollup/cell.ts.
 */
export type FiguresVariant = 'latest' | 'estimate' | 'official';

export interface RollupCellDoc extends Doc, Partial<CellState> {
  cell: string;
  hierarchy: string;
  figures: FiguresVariant;
  orgUnit: string;
  period: string;
  partition: number;
  /** position of the last event applied to this share */
  applied: number;
}

/**
 * The cell shares, a counter collection (`ReadStore.counters`, see cell-shares.ts). Not `rollup_cells`: that name
 * held the earlier document shape; a store written by an earlier version rebuilds its rollups (drop `rollup_*`).
 */
export const CELLS = 'rollup_shares';
export const LEDGER = 'rollup_ledger';
export const FOLDS = 'rollup_folds';
export const RECEIPTS = 'rollup_receipts';
/** per map version: the position of the last hierarchy change whose move of rolled-up data is done */
export const MOVES = 'rollup_moves';

export const cellKey = (hierarchy: string, figures: FiguresVariant, orgUnit: string, period: string): string =>
  `${hierarchy}|${figures}|${orgUnit}|${period}`;

export const shareId = (cell: string, partition: number): string => `${cell}|p${partition}`;

/**
 * The share of every cell that hierarchy changes write: `<cell>|p-1`. Its only writer is the mover (changes are
 * applied one at a time, in position order), so the position guard makes a redelivered change harmless, as for
 * the partitions' shares. Reads merge it with the partitions' shares (they find shares by `cell`).
 */
export const HIERARCHY_SHARE = -1;


/** What a report last contributed, per figures variant: the base an amendment's delta is computed from. */
export interface LedgerDoc extends Doc {
  version: number;
  template: string;
  orgUnit: string;
  period: string;
  hierarchy: string;
  /** the catalog version of the latest values (aggregation types, when a hierarchy change moves the report) */
  catalogVersion?: string;
  latest: Record<string, number> | null;
  estimate: Record<string, number> | null;
  official: Record<string, number> | null;
  /** figures of the latest values */
  latestFigures?: 'estimate' | 'official';
  /** when the report was first received in each variant (ISO instant): timeliness */
  firstAt?: Partial<Record<FiguresVariant, string>>;
  /**
   * the path the report's contributions sit on (root first, with level indexes): the one it was first rolled up
   * on, moved by hierarchy changes (apply-hierarchy-change.ts); its amendments use it too
   */
  path?: Array<{ code: string; levelIndex: number }>;
}

/**
 * The fold document of one reporting unit and coarse period (per hierarchy and figures variant): one entry per
 * report of the unit within the period, for the keys whose aggregation folds time per unit (AVERAGE,
 * AVERAGE_SUM_ORG_UNIT, LAST). Reports of one unit are on different partitions (one stream per period), so
 * this document has several writers: it is updated by compare-and-set on `rev`. Each entry remembers the
 * delta its last write produced, so a redelivered event re-applies the same delta to its (position-guarded)
 * cell shares instead of computing a new one.
 */
export interface FoldDoc extends Doc {
  rev: number;
  reports: Record<string, FoldEntry & { v: number; delta: FoldDelta }>;
  /**
   * per path (pathKey) the sum of the deltas written to that path's cells. A unit's reports can sit on two paths
   * for a while (a report rolled up on the new map before a hierarchy change moved the older ones): the move then
   * carries exactly the old path's part over, not the whole fold (documents written before this field existed move
   * the whole fold, as before)
   */
  paths?: Record<string, FoldDelta>;
}

/** A path as a field name of FoldDoc.paths. */
export const pathKeyOf = (path: ReadonlyArray<{ code: string }>): string => path.map((u) => u.code).join('-');

/** One report's receipt, for the completeness endpoint's list of units that have (not) reported. */
export interface ReceiptDoc extends Doc {
  hierarchy: string;
  template: string;
  orgUnit: string;
  period: string;
  version: number;
  firstAt: Partial<Record<FiguresVariant, string>>;
}
