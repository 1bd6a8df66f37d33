import type { Catalog, DataElement, Indicator } from '@tally/core';

/**
 * What services ask each other. In embedded mode the owning service answers in-process;
 * in distributed mode a gRPC client answers (with a cache invalidated by events).
 */
export interface OrgUnitView {
  code: string;
  name: string;
  shortName: string;
  type: string;
  level: string;
  parentCode: string | null;
}

export interface HierarchyQuery {
  /** the hierarchy version in force on a date (YYYY-MM-DD) */
  versionFor(date: string): Promise<string>;
  versions(): Promise<Array<{ id: string; validFrom: string; validTo?: string; levels: string[] }>>;
  unit(hierarchy: string, code: string): Promise<OrgUnitView | undefined>;
  /** VN first, the unit itself last */
  path(hierarchy: string, code: string): Promise<string[]>;
  children(hierarchy: string, code: string): Promise<OrgUnitView[]>;
  countAtLevel(hierarchy: string, code: string, level: string): Promise<number>;
}

export interface CatalogQuery {
  /** the catalog version in force on a date, or the latest one when date is omitted */
  catalogFor(date?: string): Promise<Catalog | undefined>;
  catalogVersion(version: string): Promise<Catalog | undefined>;
  dataElement(code: string, date?: string): Promise<DataElement | undefined>;
  indicator(code: string, date?: string): Promise<Indicator | undefined>;
}

export interface IndicatorValue {
  value: number | null;
  numerator: number | null;
  denominator: number | null;
}

export interface CompletenessView {
  expected: number;
  received: number;
  onTime: number;
}

export interface RollupView {
  orgUnit: string;
  period: string;
  hierarchy: string;
  figures: 'estimate' | 'official' | 'latest';
  dataElements: Record<string, number>;
  indicators: Record<string, IndicatorValue>;
  completeness: Record<string, CompletenessView>;
  /** the highest event position reflected */
  position: number;
  /** the instant the rollup was read as of (time travel); null or absent = live */
  asOf?: string | null;
  /** true when any figure is an estimate: estimate figures, or apportioned by a re-aggregation onto another map */
  estimated?: boolean;
  /** why: 'estimate-figures' and/or 'apportioned' */
  estimatedBecause?: string[];
  /** the maps whose data was re-aggregated onto `hierarchy` through the old -> new mapping */
  remappedFrom?: string[];
}

export interface RollupRequest {
  orgUnit: string;
  period: string;
  hierarchy?: string;
  figures?: 'estimate' | 'official' | 'latest';
  /** wait until everything up to this position is applied */
  after?: number;
  /** ISO 8601 instant: the rollup as it was then, rebuilt from the event history */
  asOf?: string;
}

export interface RollupQuery {
  rollup(request: RollupRequest): Promise<RollupView>;
}
