import { describe, expect, it } from 'vitest';
import type { EventContext, StoredEvent } from '@tally/contracts';
import { normalizeDefinition, type ReleaseCell } from '@tally/core';
import { openSqliteEventStore } from '@tally/eventstore';
import { openSqliteReadStore } from '@tally/readstore';
import { projectionSpec } from '@tally/testkit/spec';
import { cutRelease, datasetCollections, defineDataset, loadDataset, project, releaseCells, type CutReleaseInput } from '../src/datasets';

/** Open datasets: commands through the one command handler on an in-memory store, and the projection given/then (applied twice: no change). */
const ctx: EventContext = { actor: { id: 'admin' }, correlationId: 'c' };
const def = normalizeDefinition({ id: 'households', title: { vi: 'Hộ gia đình', en: 'Households' }, templates: ['M1719_S'] });
const cell = (unit: string, value: number): ReleaseCell => ({
  hierarchy: '2025',
  unit,
  unitName: `Tỉnh ${unit}`,
  level: 'province',
  period: '2026S1',
  kind: 'element',
  item: 'HH_TOTAL',
  itemName: 'Tổng số hộ',
  value,
  conf: 'F',
});
const input = (cells: ReleaseCell[], cutoffPosition: number): CutReleaseInput => ({
  cells,
  cutoffPosition,
  trigger: 'manual',
  embargoUntil: null,
  scheduledFor: null,
  partSize: 1,
  at: '2026-07-20T00:00:00.000Z',
});
const refusal = async (p: Promise<unknown>) => p.then(() => 'accepted', (err: { code?: string }) => err.code);

describe('open-data commands (handleCommand with the dataset decider)', () => {
  it('defines a dataset once: the same definition again changes nothing; POST of an existing one and PUT of a missing one are refused', async () => {
    const store = openSqliteEventStore(':memory:');
    expect(await defineDataset(store, def, 'create', ctx)).toEqual({ version: 1, changed: true, position: 1 });
    expect(await defineDataset(store, def, 'replace', ctx)).toEqual({ version: 1, changed: false, position: null });
    expect(await refusal(defineDataset(store, def, 'create', ctx))).toBe('DATASET_EXISTS');
    expect(await refusal(defineDataset(store, { ...def, id: 'other' }, 'replace', ctx))).toBe('NOT_FOUND');
    expect(await defineDataset(store, { ...def, title: { vi: 'Hộ', en: 'Households' } }, 'replace', ctx)).toMatchObject({ version: 2, changed: true });
  });

  it('cuts a release of changed data once, also when two cuts race; unchanged data cuts nothing', async () => {
    const store = openSqliteEventStore(':memory:');
    await defineDataset(store, def, 'create', ctx);
    const cells = [cell('01', 10), cell('02', 20)];
    const raced = await Promise.all([cutRelease(store, def.id, input(cells, 5), ctx), cutRelease(store, def.id, input(cells, 5), ctx)]);
    expect(raced.filter((r) => r.header !== null)).toHaveLength(1);
    const again = await cutRelease(store, def.id, input(cells, 6), ctx);
    expect(again.header).toBeNull();
    expect(again.latest).toMatchObject({ release: 1, cellCount: 2, parts: 2, releasedAt: '2026-07-20T00:00:00.000Z' });
    const state = await loadDataset(store, def.id);
    expect(state.releases.map((r) => r.release)).toEqual([1]);
    expect((await store.readStream('opendata-dataset-households')).map((e) => e.type)).toEqual([
      'tally.opendata.dataset-defined',
      'tally.opendata.release-part',
      'tally.opendata.release-part',
      'tally.opendata.release-published',
    ]);
  });
});

describe('open-data projection, given/then (applied twice: no change)', () => {
  it('given a definition and a release, then the definition, the release header and its cells as released', async () => {
    const store = openSqliteEventStore(':memory:');
    await defineDataset(store, def, 'create', ctx);
    await cutRelease(store, def.id, input([cell('01', 10), cell('02', 20)], 5), ctx);
    const events: StoredEvent[] = await store.readStream('opendata-dataset-households');
    const c = datasetCollections(openSqliteReadStore(':memory:'));
    const model = await projectionSpec(
      async (es: StoredEvent[]) => {
        for (const e of es) await project(c, e);
      },
      async () => {
        const releases = await c.releases.find({});
        return {
          definitions: (await c.definitions.find({})).map((d) => [d._id, d.version, d.position]),
          releases: releases.map((r) => [r._id, r.header.cellCount, r.position]),
          cells: releases.length ? await releaseCells(c.parts, releases[0]!.header) : [],
        };
      },
    )
      .given(events)
      .then((m) => {
        expect(m.definitions).toEqual([['households', 1, 1]]);
        expect(m.releases).toEqual([['households|1', 2, 4]]);
      });
    expect(model.cells.map((x) => [x.unit, x.value])).toEqual([
      ['01', 10],
      ['02', 20],
    ]);
  });
});
