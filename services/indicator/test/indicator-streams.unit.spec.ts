import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EventContext, StoredEvent } from '@tally/contracts';
import { validateCatalog, type Catalog, type ReportValuesData } from '@tally/core';
import { openSqliteEventStore } from '@tally/eventstore';
import { openSqliteReadStore } from '@tally/readstore';
import { projectionSpec, stored } from '@tally/testkit/spec';
import { CatalogRegistry } from '../src/catalog-registry';
import { publishCatalog } from '../src/publish-catalog';
import { ReportValidator } from '../src/validation-consumer';

const raw: unknown = JSON.parse(readFileSync(new URL('../../../data/demo/catalog-1719.json', import.meta.url), 'utf8'));
const checked = validateCatalog(raw);
if (!checked.ok) throw new Error('the demo catalog is invalid');
const catalog: Catalog = checked.catalog;
const ctx: EventContext = { actor: { id: 'admin' }, correlationId: 'c' };
const refusal = async (p: Promise<unknown>) => p.then(() => 'accepted', (err: { code?: string }) => err.code);

describe('indicator: publishing the catalog (command handler on the catalog stream)', () => {
  it('given nothing published, when a catalog is published twice, then it is stored once; other content under its version is refused', async () => {
    const store = openSqliteEventStore(':memory:');
    const first = await publishCatalog(store, raw, ctx);
    expect(first).toMatchObject({ version: catalog.version, created: true });
    expect(await publishCatalog(store, raw, ctx)).toMatchObject({ created: false, position: first.position });
    const changed = { ...(raw as object), legalBasis: 'other' };
    expect(await refusal(publishCatalog(store, changed, ctx))).toBe('CATALOG_VERSION_EXISTS');
    expect(await refusal(publishCatalog(store, { version: 'x' }, ctx))).toBe('INVALID_CATALOG');
    expect((await store.readStream('catalog-registry')).map((e) => e.type)).toEqual(['tally.catalog.published']);
  });
});

describe('indicator: validation outcomes (a projection that also appends)', () => {
  const report = (n: { poor: number; total: number }, version: number, position: number): StoredEvent => {
    const data: ReportValuesData = {
      reportId: 'report-M1719_S-00004-2026S1',
      template: 'M1719_S',
      orgUnit: '00004',
      period: '2026S1',
      hierarchy: '2025',
      submissionId: `s${version}`,
      figures: 'official',
      catalogVersion: catalog.version,
      values: [
        { dataElement: 'HH_TOTAL', value: n.total },
        { dataElement: 'HH_POOR', value: n.poor },
      ],
      submittedAt: '2026-07-01T00:00:00.000Z',
      contentHash: `h${version}`,
    };
    return stored({ type: version === 1 ? 'tally.report.submitted' : 'tally.report.amended', data }, { subject: data.reportId, streamVersion: version, position });
  };

  it('given a report breaking a WARN rule and its amendment, then one outcome per report event, and the latest violations; redelivery adds nothing', async () => {
    const store = openSqliteEventStore(':memory:');
    const registry = new CatalogRegistry();
    registry.add(catalog, 1);
    const validator = new ReportValidator(store, openSqliteReadStore(':memory:'), registry);
    await projectionSpec(
      async (events) => {
        for (const e of events) await validator.validate(e);
      },
      async () => ({
        outcomes: (await store.readStream('indicators-report-M1719_S-00004-2026S1')).map((e) => [e.causationId, (e.data as { violations: Array<{ rule: string }> }).violations.map((v) => v.rule)]),
        latest: (await validator.violations.get('report-M1719_S-00004-2026S1'))?.reportVersion,
      }),
    )
      .given([report({ poor: 12, total: 10 }, 1, 1), report({ poor: 5, total: 10 }, 2, 2)])
      .then({
        outcomes: [
          ['report-M1719_S-00004-2026S1#1', ['POOR_LE_TOTAL']],
          ['report-M1719_S-00004-2026S1#2', []],
        ],
        latest: 2,
      });
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
      const validator = new ReportValidator(store, openSqliteReadStore(':memory:'), registry);
      await apply(validator, events);
      const state = async () => ({
        history: await validator.history.find({ series: '2025|00004|M1719_S' }, { sort: { period: 1 } }),
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
});
