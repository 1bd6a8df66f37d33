import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '@tally/contracts';
import { validateCatalog, type Catalog, type ReportValuesData } from '@tally/core';
import { openSqliteEventStore } from '@tally/eventstore';
import type { ReadStore } from '@tally/readstore';
import { stored } from '@tally/testkit/spec';
import { CatalogRegistry } from '../src/catalog-registry';
import { FORMER_HISTORY, ReportValidator } from '../src/validation-consumer';

const raw: unknown = JSON.parse(readFileSync(new URL('../../../data/demo/catalog-1719.json', import.meta.url), 'utf8'));
const checked = validateCatalog(raw);
if (!checked.ok) throw new Error('the demo catalog is invalid');
const catalog: Catalog = checked.catalog;

/**
 * The validator's series history (outlier checks) on a read store: the SQLite one in the unit suite, the test run's
 * MongoDB-wire server in the integration suite (FerretDB: periods are nested fields, some of them all digits).
 */
export function describeSeriesHistory(name: string, open: () => Promise<{ readStore: ReadStore; cleanup: () => Promise<void> }>): void {
  describe(`indicator: the series history of the outlier checks (${name})`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const c of cleanups.splice(0)) await c();
    });

  it('given a series whose earlier periods arrive in the same batch as an outlier, then the batch records what one event at a time records, and its redelivery changes nothing', async () => {
    const periods = ['2024S1', '2024S2', '2025S1', '2025S2'];
    const totals = [1000, 1010, 990, 10000];
    const reportOf = (i: number, version: number, position: number): StoredEvent => {
      const data: ReportValuesData = {
        reportId: `report-M1719_S-00004-${periods[i]}`,
        template: 'M1719_S',
        orgUnit: '00004',
        period: periods[i]!,
        hierarchy: '2025',
        submissionId: `s${i}-${version}`,
        figures: 'official',
        catalogVersion: catalog.version,
        values: [
          { dataElement: 'HH_TOTAL', value: totals[i]! + (version - 1) },
          { dataElement: 'HH_POOR', value: 5 },
        ],
        submittedAt: '2026-07-01T00:00:00.000Z',
        contentHash: `h${i}-${version}`,
      };
      return stored({ type: version === 1 ? 'tally.report.submitted' : 'tally.report.amended', data }, { subject: data.reportId, streamVersion: version, position });
    };
    // an amendment of the first period inside the batch: the later checks see its version, not the first
    const events = [reportOf(0, 1, 1), reportOf(1, 1, 2), reportOf(0, 2, 3), reportOf(2, 1, 4), reportOf(3, 1, 5)];
    const run = async (apply: (v: ReportValidator, list: StoredEvent[]) => Promise<void>) => {
      const store = openSqliteEventStore(':memory:');
      const registry = new CatalogRegistry();
      registry.add(catalog, 1);
      const { readStore, cleanup } = await open();
      cleanups.push(cleanup);
      const validator = new ReportValidator(store, readStore, registry);
      await apply(validator, events);
      const state = async () => ({
        history: (await validator.seriesHistory('2025|00004|M1719_S')).sort((a, b) => a.period.localeCompare(b.period)),
        violations: await validator.violations.getMany(periods.map((p) => `report-M1719_S-00004-${p}`)),
        outcomes: (await Promise.all(periods.map((p) => store.readStream(`indicators-report-M1719_S-00004-${p}`)))).flat().map((e) => [e.causationId, e.data]),
      });
      const first = await state();
      await apply(validator, events); // redelivered
      expect(await state()).toEqual(first);
      return first;
    };
    const oneByOne = await run(async (v, list) => {
      for (const e of list) await v.validate(e);
    });
    const batched = await run((v, list) => v.validateBatch(list));
    expect(batched).toEqual(oneByOne);
    expect(batched.history.map((h) => [h.period, h.version, h.totals.HH_TOTAL])).toEqual([
      ['2024S1', 2, 1001],
      ['2024S2', 1, 1010],
      ['2025S1', 1, 990],
      ['2025S2', 1, 10000],
    ]);
    const last = batched.violations.find((d) => d.period === '2025S2');
    expect(last?.violations.map((v) => [v.kind, v.rule])).toContainEqual(['OUTLIER', 'HH_TOTAL']);
  });

  it('given history in the former shape (one document per period), when the validator starts, then it is moved into the series document, the former collection is dropped, and an outlier check reads it', async () => {
    const { readStore, cleanup } = await open();
    cleanups.push(cleanup);
    const former = readStore.collection(FORMER_HISTORY);
    const series = '2025|00004|M1719_S';
    for (const [period, total] of [['2024S1', 1000], ['2024S2', 1010], ['2025S1', 990], ['2025', 7]] as const) {
      await former.put({ _id: `${series}|${period}`, series, period, totals: { HH_TOTAL: total }, version: 1 });
    }
    const store = openSqliteEventStore(':memory:');
    const registry = new CatalogRegistry();
    registry.add(catalog, 1);
    const validator = new ReportValidator(store, readStore, registry);
    expect(await validator.moveFormerHistory()).toBe(4);
    expect(await former.find({})).toEqual([]);
    expect(await validator.moveFormerHistory()).toBe(0);
    expect((await validator.seriesHistory(series)).sort((a, b) => a.period.localeCompare(b.period))).toEqual([
      { period: '2024S1', totals: { HH_TOTAL: 1000 }, version: 1 },
      { period: '2024S2', totals: { HH_TOTAL: 1010 }, version: 1 },
      { period: '2025', totals: { HH_TOTAL: 7 }, version: 1 },
      { period: '2025S1', totals: { HH_TOTAL: 990 }, version: 1 },
    ]);
    const data: ReportValuesData = {
      reportId: 'report-M1719_S-00004-2025S2',
      template: 'M1719_S',
      orgUnit: '00004',
      period: '2025S2',
      hierarchy: '2025',
      submissionId: 's',
      figures: 'official',
      catalogVersion: catalog.version,
      values: [
        { dataElement: 'HH_TOTAL', value: 10000 },
        { dataElement: 'HH_POOR', value: 5 },
      ],
      submittedAt: '2026-07-01T00:00:00.000Z',
      contentHash: 'h',
    };
    await validator.validate(stored({ type: 'tally.report.submitted', data }, { subject: data.reportId, streamVersion: 1, position: 1 }));
    const violations = (await validator.violations.get(data.reportId))?.violations ?? [];
    expect(violations.map((v) => [v.kind, v.rule])).toContainEqual(['OUTLIER', 'HH_TOTAL']);
  });
  });
}
