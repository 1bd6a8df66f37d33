import type { Doc } from '@tally/readstore';

/**
 * A rollup cell: the running totals of one (hierarchy, figures, unit, period), split by bus partition.
 * Each partition's consumer is the only writer of its share, in position order, so a position guard makes
 * every write idempotent without any cross-partition coordination; a read merges the shares (at most one per partition).
 */
export type FiguresVariant = 'latest' | 'estimate' | 'official';

export interface RollupCellDoc extends Doc {
  cell: string;
  hierarchy: string;
  figures: FiguresVariant;
  orgUnit: string;
  period: string;
  partition: number;
  /** key (ELEMENT or ELEMENT:OPTIONCOMBO) -> sum of contributions */
  sums: Record<string, number>;
  /** key -> number of reports contributing */
  counts: Record<string, number>;
  /** template -> reports received for this exact period */
  received: Record<string, number>;
  /** template -> of those, received by the deadline */
  onTime: Record<string, number>;
  /** position of the last event applied to this share */
  applied: number;
}

export const CELLS = 'rollup_cells';
export const LEDGER = 'rollup_ledger';

export const cellKey = (hierarchy: string, figures: FiguresVariant, orgUnit: string, period: string): string =>
  `${hierarchy}|${figures}|${orgUnit}|${period}`;

export const shareId = (cell: string, partition: number): string => `${cell}|p${partition}`;

/** What a report last contributed, per figures variant: the base an amendment's delta is computed from. */
export interface LedgerDoc extends Doc {
  version: number;
  template: string;
  orgUnit: string;
  period: string;
  hierarchy: string;
  latest: Record<string, number> | null;
  estimate: Record<string, number> | null;
  official: Record<string, number> | null;
  onTime: boolean;
}
