import { describe, expect, it } from 'vitest';
import { DATASET_EVENT_SCHEMA, datasetDecider, normalizeDefinition, readEvent, UnknownSchemaVersionError, type DatasetEvent, type ReleaseCell } from '../src';
import { deciderSpec } from '@tally/testkit/spec';

/** The dataset decider as given/when/then (the release rules in detail: open-data.unit.spec.ts). */
const spec = deciderSpec(datasetDecider);
const def = normalizeDefinition({ id: 'households', title: { vi: 'Hộ gia đình', en: 'Households' }, templates: ['M1719_S'] });
const defined: DatasetEvent = { type: 'tally.opendata.dataset-defined', data: { definition: def, version: 1, created: true } };
const cell: ReleaseCell = { hierarchy: '2025', unit: '01', unitName: 'Hà Nội', level: 'province', period: '2026S1', kind: 'element', item: 'HH_TOTAL', itemName: 'Tổng số hộ', value: 10, conf: 'F' };
const cutData = { cells: [cell], contentHash: 'h1', cutoffPosition: 7, at: '2026-07-20T00:00:00.000Z', embargoUntil: null, trigger: 'manual' as const, scheduledFor: null, partSize: 10 };

describe('the dataset decider, given/when/then', () => {
  it('given nothing, when defined, then defined (version 1); given it, when the same definition comes again, then nothing', () => {
    spec.given([]).when({ type: 'DefineDataset', data: { definition: def, mode: 'create' } }).then([defined]);
    spec.given([defined]).when({ type: 'DefineDataset', data: { definition: def, mode: 'replace' } }).then([]);
    spec.given([defined]).when({ type: 'DefineDataset', data: { definition: def, mode: 'create' } }).thenRefuses('DATASET_EXISTS');
    spec.given([]).when({ type: 'CutRelease', data: cutData }).thenRefuses('NOT_FOUND');
  });

  it('given a definition, when a release is cut, then its part and its header; given that release, when the same data is cut again, then nothing', () => {
    const events = datasetDecider.decide({ type: 'CutRelease', data: cutData }, spec.given([defined]).state);
    expect(events.map((e) => e.type)).toEqual(['tally.opendata.release-part', 'tally.opendata.release-published']);
    expect(events[1]).toMatchObject({ data: { dataset: 'households', release: 1, definitionVersion: 1, cutoffPosition: 7, contentHash: 'h1', cellCount: 1, added: 0 } });
    spec.given([defined, ...events]).when({ type: 'CutRelease', data: { ...cutData, cutoffPosition: 8 } }).then([]);
  });

  it('reads a stored version-1 event through the schema; refuses one written by a newer schema', () => {
    expect(readEvent(DATASET_EVENT_SCHEMA, { type: defined.type, data: defined.data, schemaVersion: 1 })).toEqual(defined);
    expect(() => readEvent(DATASET_EVENT_SCHEMA, { type: defined.type, data: defined.data, schemaVersion: 2 })).toThrow(UnknownSchemaVersionError);
  });
});
