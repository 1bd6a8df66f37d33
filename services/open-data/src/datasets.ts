import { createHash } from 'node:crypto';
import { newEvent, type EventContext, type StoredEvent } from '@tally/contracts';
import {
  canonicalText,
  datasetDecider,
  datasetStreamId,
  DATASET_EVENT_TYPES,
  type DatasetDefinition,
  type DatasetEvent,
  type DatasetState,
  type ReleaseCell,
  type ReleaseHeader,
  type ReleaseTrigger,
} from '@tally/core';
import type { EventStore, NewEvent } from '@tally/eventstore';
import type { Collection, Doc, ReadStore } from '@tally/readstore';
import { decideAndAppend } from '@tally/runtime';

/**
 * The write side (commands on a dataset's stream) and the read side (projections of its events) of open
 * datasets. The read side is derived only from `tally.opendata.*` events, so dropping it and replaying the log
 * gives back every definition and every release as it was.
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
  if (!(DATASET_EVENT_TYPES as readonly string[]).includes(e.type)) return;
  const event = { type: e.type, data: e.data } as DatasetEvent;
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
  }
}

/** The cells of one release, in order. */
export async function releaseCells(parts: Collection<PartDoc>, header: ReleaseHeader): Promise<ReleaseCell[]> {
  const ids = Array.from({ length: header.parts }, (_, i) => `${header.dataset}|${header.release}|${i + 1}`);
  const docs = await parts.getMany(ids);
  return docs.sort((a, b) => a.part - b.part).flatMap((d) => d.cells);
}

export function foldDataset(history: StoredEvent[]): DatasetState {
  return history.reduce((s, e) => datasetDecider.evolve(s, { type: e.type, data: e.data } as DatasetEvent), datasetDecider.initialState());
}

export const SOURCE = 'tally/open-data';

type DefineResult = { version: number; changed: boolean; position: number | null };

const envelope = (streamId: string, ev: DatasetEvent, ctx: EventContext): NewEvent => newEvent<string, unknown>(SOURCE, streamId, ev, ctx);

export async function defineDataset(store: EventStore, definition: DatasetDefinition, mode: 'create' | 'replace', ctx: EventContext): Promise<DefineResult> {
  const streamId = datasetStreamId(definition.id);
  return decideAndAppend<DefineResult>(store, streamId, (history) => {
    const state = foldDataset(history);
    const events = datasetDecider.decide({ type: 'DefineDataset', data: { definition, mode } }, state);
    if (events.length === 0) return { result: { version: state.definitionVersion, changed: false, position: null } };
    return {
      events: events.map((ev) => envelope(streamId, ev, ctx)),
      result: (positions) => ({ version: state.definitionVersion + 1, changed: true, position: positions[0]! }),
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
  return decideAndAppend<CutResult>(store, streamId, (history) => {
    const state = foldDataset(history);
    const events = datasetDecider.decide({ type: 'CutRelease', data: { ...input, contentHash } }, state);
    const latest = state.releases[state.releases.length - 1] ?? null;
    if (events.length === 0) return { result: { header: null, latest } };
    const header = (events[events.length - 1] as Extract<DatasetEvent, { type: 'tally.opendata.release-published' }>).data;
    return { events: events.map((ev) => envelope(streamId, ev, { ...ctx, time: input.at })), result: () => ({ header, latest: header }) };
  });
}
