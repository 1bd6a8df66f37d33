import { createHash } from 'node:crypto';
import { newEvent, type EventContext, type StoredEvent } from '@tally/contracts';
import {
  assertNever,
  canonicalText,
  DATASET_EVENT_SCHEMA,
  datasetDecider,
  datasetStream,
  datasetStreamId,
  readEvent,
  type DatasetDefinition,
  type DatasetEvent,
  type DatasetState,
  type ReleaseCell,
  type ReleaseHeader,
  type ReleasePublished,
  type ReleaseTrigger,
} from '@tally/core';
import { handleCommand, loadStream, type CommandDecision, type EventStore, type NewEvent } from '@tally/eventstore';
import type { Collection, Doc, ReadStore } from '@tally/readstore';

/**
 * The write side (commands on a dataset's stream, through `handleCommand` with core's `datasetStream`: typed,
 * upcast events, append with the version that was read, conflicts retried) and the read side (projections of its
 * events) of open datasets. The read side is derived only from `tally.opendata.*` events read through the
 * stream's schema, so dropping it and replaying the log gives back every definition and every release as it was.
 */
export interface DefinitionDoc extends Doc {
  definition: DatasetDefinition;
  version: number;
  definedAt: string;
  position: number;
}

export interface ReleaseDoc extends Doc {
  dataset: string;
  release: number;
  header: ReleaseHeader;
  position: number;
}

export interface PartDoc extends Doc {
  dataset: string;
  release: number;
  part: number;
  cells: ReleaseCell[];
  position: number;
}

export const PREFIX = 'opendata_';

export function datasetCollections(readStore: ReadStore) {
  return {
    definitions: readStore.collection<DefinitionDoc>(`${PREFIX}definitions`),
    releases: readStore.collection<ReleaseDoc>(`${PREFIX}releases`),
    parts: readStore.collection<PartDoc>(`${PREFIX}release_parts`),
  };
}
export type DatasetCollections = ReturnType<typeof datasetCollections>;

/** Applies one event (idempotent: every write is guarded by the event's position). */
export async function project(c: DatasetCollections, e: StoredEvent): Promise<void> {
  const event = readEvent(DATASET_EVENT_SCHEMA, e);
  if (!event) return;
  const guard = { field: 'position', below: e.position };
  switch (event.type) {
    case 'tally.opendata.dataset-defined':
      await c.definitions.update(event.data.definition.id, { set: { definition: event.data.definition, version: event.data.version, definedAt: e.time, position: e.position } }, guard);
      return;
    case 'tally.opendata.release-part': {
      const d = event.data;
      await c.parts.update(`${d.dataset}|${d.release}|${d.part}`, { set: { dataset: d.dataset, release: d.release, part: d.part, cells: d.cells, position: e.position } }, guard);
      return;
    }
    case 'tally.opendata.release-published': {
      const d = event.data;
      await c.releases.update(`${d.dataset}|${d.release}`, { set: { dataset: d.dataset, release: d.release, header: d, position: e.position } }, guard);
      return;
    }
    default:
      return assertNever(event, 'dataset event');
  }
}

/** The cells of one release, in order. */
export async function releaseCells(parts: Collection<PartDoc>, header: ReleaseHeader): Promise<ReleaseCell[]> {
  const ids = Array.from({ length: header.parts }, (_, i) => `${header.dataset}|${header.release}|${i + 1}`);
  const docs = await parts.getMany(ids);
  return docs.sort((a, b) => a.part - b.part).flatMap((d) => d.cells);
}

/** A dataset's stream folded (typed, upcast). */
export async function loadDataset(store: EventStore, id: string): Promise<DatasetState> {
  return (await loadStream(store, datasetStreamId(id), datasetStream)).state;
}

export const SOURCE = 'tally/open-data';

type DefineResult = { version: number; changed: boolean; position: number | null };

const envelope = (streamId: string, ev: DatasetEvent, ctx: EventContext): NewEvent => newEvent<string, unknown>(SOURCE, streamId, ev, ctx);

export async function defineDataset(store: EventStore, definition: DatasetDefinition, mode: 'create' | 'replace', ctx: EventContext): Promise<DefineResult> {
  const streamId = datasetStreamId(definition.id);
  return handleCommand(store, streamId, datasetStream, (state): CommandDecision<DefineResult> => {
    const events = datasetDecider.decide({ type: 'DefineDataset', data: { definition, mode } }, state);
    if (events.length === 0) return { result: { version: state.definitionVersion, changed: false, position: null } };
    return {
      append: events.map((ev) => envelope(streamId, ev, ctx)),
      result: (appended) => ({ version: state.definitionVersion + 1, changed: true, position: appended.positions[0]! }),
    };
  });
}

export const contentHashOf = (cells: readonly ReleaseCell[]): string => createHash('sha256').update(canonicalText(cells)).digest('hex');

export interface CutReleaseInput {
  cells: ReleaseCell[];
  cutoffPosition: number;
  trigger: ReleaseTrigger;
  embargoUntil: string | null;
  scheduledFor: string | null;
  partSize: number;
  at: string;
}

/** Appends a release (its parts and its header) unless the decider finds nothing new to release. */
type CutResult = { header: ReleaseHeader | null; latest: ReleaseHeader | null };

export async function cutRelease(store: EventStore, id: string, input: CutReleaseInput, ctx: EventContext): Promise<CutResult> {
  const streamId = datasetStreamId(id);
  const contentHash = contentHashOf(input.cells);
  return handleCommand(store, streamId, datasetStream, (state): CommandDecision<CutResult> => {
    const events = datasetDecider.decide({ type: 'CutRelease', data: { ...input, contentHash } }, state);
    const latest = state.releases[state.releases.length - 1] ?? null;
    if (events.length === 0) return { result: { header: null, latest } };
    const header = events.find((ev): ev is ReleasePublished => ev.type === 'tally.opendata.release-published')?.data ?? null;
    return { append: events.map((ev) => envelope(streamId, ev, { ...ctx, time: input.at })), result: () => ({ header, latest: header }) };
  });
}
