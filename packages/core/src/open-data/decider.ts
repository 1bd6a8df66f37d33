import { assertNever, type Decider } from '../decider/decider';
import type { SourcedStream } from '../decider/stream';
import type { EventSchema, ListsEvery } from '../decider/upcast';
import { DomainError } from '../errors';
import type { DatasetDefinition } from './definition';
import { cellKey, flagRevisions, type ReleaseCell } from './release';

/**
 * An open dataset as a decider: its stream (`opendata-dataset-<id>`) holds its definitions and its releases.
 * A release is a run of `release-part` events (the frozen cells, revision flags included) closed by one
 * `release-published` event (number, cut-off position, content hash, embargo). Releases are immutable: no
 * event changes or removes one, so replaying the stream rebuilds every release byte for byte.
 * Pure: time, cells and their hash come in with the command.
 */
export type ReleaseTrigger = 'approved' | 'locked' | 'manual' | 'calendar';

export interface DatasetDefined {
  type: 'tally.opendata.dataset-defined';
  data: { definition: DatasetDefinition; version: number; created: boolean };
}

export interface ReleasePart {
  type: 'tally.opendata.release-part';
  data: { dataset: string; release: number; part: number; cells: ReleaseCell[] };
}

export interface ReleaseHeader {
  dataset: string;
  release: number;
  /** the definition version the release was cut with */
  definitionVersion: number;
  /** ISO instant the release was cut */
  releasedAt: string;
  /** not public before this instant (null: public at once) */
  embargoUntil: string | null;
  /** the highest event position whose data the release reflects */
  cutoffPosition: number;
  /** sha-256 of the canonical cells (without revision flags) */
  contentHash: string;
  cellCount: number;
  parts: number;
  periods: string[];
  trigger: ReleaseTrigger;
  /** the calendar entry (its `at`) the release was cut for */
  scheduledFor: string | null;
  added: number;
  revised: number;
  removed: string[];
}

export interface ReleasePublished {
  type: 'tally.opendata.release-published';
  data: ReleaseHeader;
}

export type DatasetEvent = DatasetDefined | ReleasePart | ReleasePublished;

export const DATASET_EVENT_TYPES = ['tally.opendata.dataset-defined', 'tally.opendata.release-part', 'tally.opendata.release-published'] as const satisfies readonly DatasetEvent['type'][];
export const DATASET_EVENT_TYPES_COMPLETE: ListsEvery<DatasetEvent['type'], typeof DATASET_EVENT_TYPES> = true;

/** A dataset stream's schema: every type at schema version 1 so far (add an upcaster here when a shape changes). */
export const DATASET_EVENT_SCHEMA: EventSchema<DatasetEvent> = { types: DATASET_EVENT_TYPES };

export const datasetStreamId = (id: string): string => `opendata-dataset-${id}`;

export interface DatasetState {
  definition: DatasetDefinition | null;
  definitionVersion: number;
  releases: ReleaseHeader[];
  /** the cells of the last release, by key (what the next release is compared with) */
  lastCells: Map<string, ReleaseCell> | null;
  /** parts of a release whose published event has not been applied yet */
  pending: ReleaseCell[];
}

export const initialDatasetState = (): DatasetState => ({ definition: null, definitionVersion: 0, releases: [], lastCells: null, pending: [] });

export type DefineDataset = { type: 'DefineDataset'; data: { definition: DatasetDefinition; mode: 'create' | 'replace' } };

export type CutRelease = {
  type: 'CutRelease';
  data: {
    cells: ReleaseCell[];
    contentHash: string;
    cutoffPosition: number;
    at: string;
    embargoUntil: string | null;
    trigger: ReleaseTrigger;
    scheduledFor: string | null;
    /** cells per part event (keeps each event small enough for any bus) */
    partSize: number;
  };
};

export type DatasetCommand = DefineDataset | CutRelease;

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** New events, or none when the command changes nothing (the same definition again; data unchanged since the last release). */
export function decideDataset(command: DatasetCommand, state: DatasetState): DatasetEvent[] {
  switch (command.type) {
    case 'DefineDataset': {
      const { definition, mode } = command.data;
      if (mode === 'create' && state.definition) throw new DomainError('DATASET_EXISTS', `dataset ${definition.id} exists; PUT replaces it`);
      if (mode === 'replace' && !state.definition) throw new DomainError('NOT_FOUND', `no dataset ${definition.id}; POST defines it`);
      if (state.definition && sameJson(state.definition, definition)) return [];
      return [{ type: 'tally.opendata.dataset-defined', data: { definition, version: state.definitionVersion + 1, created: !state.definition } }];
    }
    case 'CutRelease': {
      const def = state.definition;
      if (!def) throw new DomainError('NOT_FOUND', 'no such dataset');
      const d = command.data;
      const last = state.releases[state.releases.length - 1];
      if (d.scheduledFor !== null && state.releases.some((r) => r.scheduledFor === d.scheduledFor)) return [];
      if (last && d.cutoffPosition < last.cutoffPosition) return [];
      // an automatic or manual release of unchanged data adds nothing; a scheduled one keeps the calendar's promise
      if (last && d.trigger !== 'calendar' && last.contentHash === d.contentHash && last.definitionVersion === state.definitionVersion) return [];
      if (!Number.isInteger(d.partSize) || d.partSize < 1) throw new DomainError('INVALID_REQUEST', 'partSize must be a positive integer');
      const release = (last?.release ?? 0) + 1;
      const flagged = flagRevisions(state.lastCells, d.cells, release);
      const chunks: ReleaseCell[][] = [];
      for (let i = 0; i < flagged.cells.length; i += d.partSize) chunks.push(flagged.cells.slice(i, i + d.partSize));
      if (chunks.length === 0) chunks.push([]);
      const parts: ReleasePart[] = chunks.map((cells, i) => ({ type: 'tally.opendata.release-part', data: { dataset: def.id, release, part: i + 1, cells } }));
      const header: ReleaseHeader = {
        dataset: def.id,
        release,
        definitionVersion: state.definitionVersion,
        releasedAt: d.at,
        embargoUntil: d.embargoUntil,
        cutoffPosition: d.cutoffPosition,
        contentHash: d.contentHash,
        cellCount: flagged.cells.length,
        parts: parts.length,
        periods: [...new Set(flagged.cells.map((c) => c.period))].sort(),
        trigger: d.trigger,
        scheduledFor: d.scheduledFor,
        added: flagged.added,
        revised: flagged.revised,
        removed: flagged.removed,
      };
      return [...parts, { type: 'tally.opendata.release-published', data: header }];
    }
    default:
      return assertNever(command, 'dataset command');
  }
}

export function evolveDataset(state: DatasetState, event: DatasetEvent): DatasetState {
  switch (event.type) {
    case 'tally.opendata.dataset-defined':
      return { ...state, definition: event.data.definition, definitionVersion: event.data.version };
    case 'tally.opendata.release-part':
      return { ...state, pending: [...state.pending, ...event.data.cells] };
    case 'tally.opendata.release-published':
      return { ...state, releases: [...state.releases, event.data], lastCells: new Map(state.pending.map((c) => [cellKey(c), c])), pending: [] };
    default:
      return assertNever(event, 'dataset event');
  }
}

/** A dataset stream (`opendata-dataset-<id>`): its events (with their upcasters) and how they fold. */
export const datasetStream = {
  schema: DATASET_EVENT_SCHEMA,
  initialState: initialDatasetState,
  evolve: evolveDataset,
} satisfies SourcedStream<DatasetState, DatasetEvent>;

export const datasetDecider = { ...datasetStream, decide: decideDataset } satisfies Decider<DatasetCommand, DatasetEvent, DatasetState>;

/** Whether a release is public at an instant (its embargo, if any, has passed). */
export const isPublic = (r: Pick<ReleaseHeader, 'embargoUntil'>, now: string): boolean => r.embargoUntil === null || Date.parse(r.embargoUntil) <= Date.parse(now);

/** The calendar entries due at an instant that no release was cut for yet. */
export function dueCalendarEntries(state: DatasetState, now: string): Array<{ at: string; embargoUntil?: string }> {
  const done = new Set(state.releases.map((r) => r.scheduledFor).filter((s): s is string => s !== null));
  return (state.definition?.release.calendar ?? []).filter((c) => Date.parse(c.at) <= Date.parse(now) && !done.has(c.at));
}
