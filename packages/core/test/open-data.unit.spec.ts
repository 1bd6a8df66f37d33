import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cellKey,
  datasetDecider,
  dueCalendarEntries,
  flagRevisions,
  isPublic,
  normalizeDefinition,
  suppressSmallCells,
  type AdditiveRelation,
  type DatasetEvent,
  type DatasetState,
  type ReleaseCell,
} from '../src';

const def = normalizeDefinition({ id: 'households', title: { vi: 'Hộ gia đình', en: 'Households' }, templates: ['M1719_S'] });

const cell = (unit: string, item: string, value: number | null, extra: Partial<ReleaseCell> = {}): ReleaseCell => ({
  hierarchy: '2025',
  unit,
  unitName: `Xã ${unit}`,
  level: 'commune',
  period: '2026S1',
  kind: 'element',
  item,
  itemName: item,
  value,
  conf: 'F',
  ...extra,
});

const given = (events: DatasetEvent[]): DatasetState => events.reduce(datasetDecider.evolve, datasetDecider.initialState());

const cut = (state: DatasetState, cells: ReleaseCell[], hash: string, extra: Partial<{ trigger: 'manual' | 'calendar' | 'approved'; scheduledFor: string | null; cutoffPosition: number; partSize: number }> = {}) =>
  datasetDecider.decide(
    {
      type: 'CutRelease',
      data: { cells, contentHash: hash, cutoffPosition: extra.cutoffPosition ?? 10, at: '2026-07-20T00:00:00.000Z', embargoUntil: null, trigger: extra.trigger ?? 'manual', scheduledFor: extra.scheduledFor ?? null, partSize: extra.partSize ?? 2 },
    },
    state,
  );

describe('dataset definitions', () => {
  it('defaults: CC BY 4.0, official figures, province level, releases on approval, counts under 5 at commune level withheld', () => {
    expect(def).toMatchObject({
      licence: { id: 'CC-BY-4.0', url: 'https://creativecommons.org/licenses/by/4.0/' },
      figures: 'official',
      levels: ['province'],
      release: { on: 'approved', calendar: [] },
      disclosure: { minCount: 5, levels: ['commune'] },
    });
  });

  it('refuses a bad id, an empty selection, a missing title language and an embargo before its release, listing every problem', () => {
    try {
      normalizeDefinition({ id: 'Bad Id', title: { vi: 'x', en: '' }, release: { calendar: [{ at: '2026-07-01T00:00:00Z', embargoUntil: '2026-06-01T00:00:00Z' }] } });
      expect.unreachable();
    } catch (err) {
      expect((err as { code: string }).code).toBe('INVALID_DATASET');
      expect((err as { details: { problems: string[] } }).details.problems).toHaveLength(4);
    }
  });

  it('create, then create again is refused; replace changes the version; the same definition again changes nothing', () => {
    const created = datasetDecider.decide({ type: 'DefineDataset', data: { definition: def, mode: 'create' } }, datasetDecider.initialState());
    expect(created).toEqual([{ type: 'tally.opendata.dataset-defined', data: { definition: def, version: 1, created: true } }]);
    const state = given(created);
    expect(() => datasetDecider.decide({ type: 'DefineDataset', data: { definition: def, mode: 'create' } }, state)).toThrow(/exists/);
    expect(datasetDecider.decide({ type: 'DefineDataset', data: { definition: def, mode: 'replace' } }, state)).toEqual([]);
    const renamed = { ...def, title: { vi: 'Hộ', en: 'Households' } };
    expect(datasetDecider.decide({ type: 'DefineDataset', data: { definition: renamed, mode: 'replace' } }, state)[0]).toMatchObject({ data: { version: 2, created: false } });
    expect(() => datasetDecider.decide({ type: 'DefineDataset', data: { definition: def, mode: 'replace' } }, datasetDecider.initialState())).toThrow(/no dataset/);
  });
});

describe('releases', () => {
  const defined = given(datasetDecider.decide({ type: 'DefineDataset', data: { definition: def, mode: 'create' } }, datasetDecider.initialState()));

  it('a release is numbered parts and a header; release 1 flags nothing, every cell changed in release 1', () => {
    const events = cut(defined, [cell('B', 'HH_TOTAL', 20), cell('A', 'HH_TOTAL', 10), cell('A', 'HH_POOR', 2)], 'h1');
    expect(events.map((e) => e.type)).toEqual(['tally.opendata.release-part', 'tally.opendata.release-part', 'tally.opendata.release-published']);
    const header = events[2]!.data as { release: number; cellCount: number; parts: number; added: number; revised: number };
    expect(header).toMatchObject({ release: 1, cellCount: 3, parts: 2, added: 0, revised: 0 });
    const cells = events.slice(0, 2).flatMap((e) => (e.data as { cells: ReleaseCell[] }).cells);
    // canonical order, no revision flags on the first release
    expect(cells.map((c) => `${c.unit}.${c.item}`)).toEqual(['A.HH_POOR', 'A.HH_TOTAL', 'B.HH_TOTAL']);
    expect(cells.every((c) => c.revision === undefined && c.changedIn === 1)).toBe(true);
  });

  it('release N+1 flags exactly the cells revised or added since N, and lists the removed ones', () => {
    const r1 = given([...datasetDecider.decide({ type: 'DefineDataset', data: { definition: def, mode: 'create' } }, datasetDecider.initialState()), ...cut(defined, [cell('A', 'HH_TOTAL', 10), cell('A', 'HH_POOR', 2), cell('B', 'HH_TOTAL', 20)], 'h1')]);
    const events = cut(r1, [cell('A', 'HH_TOTAL', 11), cell('A', 'HH_POOR', null, { conf: 'C' }), cell('C', 'HH_TOTAL', 5)], 'h2', { cutoffPosition: 20 });
    const cells = events.filter((e) => e.type === 'tally.opendata.release-part').flatMap((e) => (e.data as { cells: ReleaseCell[] }).cells);
    expect(Object.fromEntries(cells.map((c) => [`${c.unit}.${c.item}`, c.revision ?? '']))).toEqual({ 'A.HH_TOTAL': 'revised', 'A.HH_POOR': 'revised', 'C.HH_TOTAL': 'new' });
    expect(events[events.length - 1]!.data).toMatchObject({ release: 2, added: 1, revised: 2, removed: [cellKey(cell('B', 'HH_TOTAL', 20))] });
  });

  it('unchanged data makes no release, nor does an older cut-off; a calendar entry releases once, even unchanged', () => {
    const r1 = given([...datasetDecider.decide({ type: 'DefineDataset', data: { definition: def, mode: 'create' } }, datasetDecider.initialState()), ...cut(defined, [cell('A', 'HH_TOTAL', 10)], 'h1')]);
    expect(cut(r1, [cell('A', 'HH_TOTAL', 10)], 'h1', { cutoffPosition: 30 })).toEqual([]);
    expect(cut(r1, [cell('A', 'HH_TOTAL', 12)], 'h2', { cutoffPosition: 5 })).toEqual([]);
    const scheduled = cut(r1, [cell('A', 'HH_TOTAL', 10)], 'h1', { trigger: 'calendar', scheduledFor: '2026-07-01T00:00:00Z' });
    expect(scheduled[scheduled.length - 1]!.data).toMatchObject({ release: 2, trigger: 'calendar', scheduledFor: '2026-07-01T00:00:00Z', revised: 0 });
    expect(cut(given([...datasetDecider.decide({ type: 'DefineDataset', data: { definition: def, mode: 'create' } }, datasetDecider.initialState()), ...cut(defined, [cell('A', 'HH_TOTAL', 10)], 'h1'), ...scheduled]), [cell('A', 'HH_TOTAL', 11)], 'h3', { trigger: 'calendar', scheduledFor: '2026-07-01T00:00:00Z' })).toEqual([]);
  });

  it('due calendar entries and embargoes', () => {
    const withCalendar = normalizeDefinition({ ...def, release: { on: 'manual', calendar: [{ at: '2026-07-01T00:00:00Z', embargoUntil: '2026-07-02T00:00:00Z' }, { at: '2027-01-01T00:00:00Z' }] } });
    const state = given(datasetDecider.decide({ type: 'DefineDataset', data: { definition: withCalendar, mode: 'create' } }, datasetDecider.initialState()));
    expect(dueCalendarEntries(state, '2026-07-01T12:00:00Z')).toEqual([{ at: '2026-07-01T00:00:00Z', embargoUntil: '2026-07-02T00:00:00Z' }]);
    expect(isPublic({ embargoUntil: '2026-07-02T00:00:00Z' }, '2026-07-01T12:00:00Z')).toBe(false);
    expect(isPublic({ embargoUntil: '2026-07-02T00:00:00Z' }, '2026-07-02T00:00:00Z')).toBe(true);
    expect(isPublic({ embargoUntil: null }, '2000-01-01T00:00:00Z')).toBe(true);
  });

  it('flags against the previous release property: revised iff the key was there with another value or status', () => {
    const arbCells = fc.uniqueArray(fc.record({ unit: fc.constantFrom('A', 'B', 'C', 'D'), item: fc.constantFrom('X', 'Y'), value: fc.option(fc.integer({ min: 0, max: 9 }), { nil: null }) }), {
      selector: (c) => `${c.unit}.${c.item}`,
      maxLength: 8,
    });
    fc.assert(
      fc.property(arbCells, arbCells, (before, after) => {
        const prev = new Map(before.map((c) => cell(c.unit, c.item, c.value)).map((c) => [cellKey(c), c]));
        const flagged = flagRevisions(prev, after.map((c) => cell(c.unit, c.item, c.value)), 2);
        for (const c of flagged.cells) {
          const p = prev.get(cellKey(c));
          expect(c.revision).toBe(!p ? 'new' : p.value !== c.value ? 'revised' : undefined);
        }
        expect(flagged.removed.length).toBe([...prev.keys()].filter((k) => !flagged.cells.some((c) => cellKey(c) === k)).length);
      }),
    );
  });
});

describe('small-cell rule with complementary suppression', () => {
  const rule = { minCount: 5 };

  it('withholds counts in (0, 5) and one more cell of each sum so no total minus the others reveals it', () => {
    const cells = [
      { key: 'd', value: 45, sensitive: false },
      { key: 'c1', value: 2, sensitive: true },
      { key: 'c2', value: 10, sensitive: true },
      { key: 'c3', value: 33, sensitive: true },
      { key: 'c4', value: 0, sensitive: true },
    ];
    const status = suppressSmallCells(cells, [{ total: 'd', members: ['c1', 'c2', 'c3', 'c4'] }], rule);
    expect(Object.fromEntries(status)).toEqual({ d: 'F', c1: 'C', c2: 'D', c3: 'F', c4: 'F' });
    // zeros too when asked
    expect(suppressSmallCells(cells, [{ total: 'd', members: ['c1', 'c2', 'c3', 'c4'] }], { minCount: 5, suppressZero: true }).get('c4')).toBe('C');
  });

  it('withholds the total when no member is left to withhold, and follows the consequences up the hierarchy', () => {
    const status = suppressSmallCells(
      [
        { key: 'p', value: 100, sensitive: false },
        { key: 'd1', value: 3, sensitive: true },
        { key: 'd2', value: 97, sensitive: false },
        { key: 'c11', value: 3, sensitive: true },
      ],
      [
        { total: 'd1', members: ['c11'] },
        { total: 'p', members: ['d1', 'd2'] },
      ],
      rule,
    );
    expect(status.get('c11')).toBe('C');
    expect(status.get('d1')).toBe('C');
    expect(status.get('d2')).toBe('D');
  });

  it('property: every small sensitive count is withheld (C), only they are C, and no sum has exactly one withheld cell unless it cannot be helped', () => {
    const arb = fc.array(fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(arb, fc.boolean(), (districts, totalInTable) => {
        const cells: Array<{ key: string; value: number; sensitive: boolean }> = [];
        const relations: AdditiveRelation[] = [];
        districts.forEach((communes, d) => {
          const members = communes.map((v, i) => {
            cells.push({ key: `c${d}.${i}`, value: v, sensitive: true });
            return `c${d}.${i}`;
          });
          if (totalInTable) cells.push({ key: `d${d}`, value: communes.reduce((a, b) => a + b, 0), sensitive: false });
          relations.push({ total: totalInTable ? `d${d}` : null, members });
        });
        const status = suppressSmallCells(cells, relations, rule);
        for (const c of cells) expect(status.get(c.key) === 'C').toBe(c.sensitive && c.value > 0 && c.value < 5);
        for (const r of relations) {
          const keys = [...r.members, ...(r.total ? [r.total] : [])];
          const withheld = keys.filter((k) => status.get(k) !== 'F').length;
          // a sum of one member whose total is published elsewhere cannot be protected in this table
          const helpless = r.total === null && r.members.length === 1;
          if (!helpless) expect(withheld === 0 || withheld >= 2).toBe(true);
        }
      }),
    );
  });
});
