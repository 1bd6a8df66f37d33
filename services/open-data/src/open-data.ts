import type { EventContext } from '@tally/contracts';
import type { Catalog, DatasetDefinition, ReleaseCell, ReleaseHeader, ReleaseTrigger } from '@tally/core';
import type { OpenDataSettings } from './settings';

/** What the open-data routes ask of the service: datasets, their releases and tables, and the two commands. */
export interface DatasetSummary {
  def: DatasetDefinition;
  /** null for the per-template defaults (never stored) */
  version: number | null;
  definedAt: string | null;
}

/** What the routes need from the service. */
export interface OpenData {
  settings: OpenDataSettings;
  /** the catalog in force today (what definitions are checked against) */
  catalog(): Promise<Catalog | undefined>;
  datasets(): Promise<DatasetSummary[]>;
  dataset(id: string): Promise<DatasetSummary>;
  /** public releases (embargo passed), oldest first; `all` includes embargoed ones */
  releases(id: string, opts?: { all?: boolean }): Promise<ReleaseHeader[]>;
  releaseCells(header: ReleaseHeader): Promise<ReleaseCell[]>;
  /** the live table (disclosure control applied), and when its data last changed */
  live(def: DatasetDefinition, asOf?: string): Promise<{ cells: ReleaseCell[]; updatedAt: string | null; version: number }>;
  define(def: DatasetDefinition, mode: 'create' | 'replace', ctx: EventContext): Promise<{ version: number; changed: boolean; position: number | null }>;
  release(
    id: string,
    input: { trigger: ReleaseTrigger; embargoUntil: string | null; scheduledFor: string | null; /** the position of the event that triggered it */ reflects?: number },
    ctx: EventContext,
  ): Promise<{ header: ReleaseHeader | null; latest: ReleaseHeader | null }>;
}

