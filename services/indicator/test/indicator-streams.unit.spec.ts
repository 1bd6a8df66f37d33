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
import { describeSeriesHistory } from './series-history.cases';

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
});

describeSeriesHistory('SQLite read store', async () => ({ readStore: openSqliteReadStore(':memory:'), cleanup: async () => undefined }));
