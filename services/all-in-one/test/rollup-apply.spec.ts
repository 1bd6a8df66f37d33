import { describe, expect, it } from 'vitest';
import type { CatalogQuery, StoredEvent } from '@tally/contracts';
import { cellValues, type AggregationType, type Catalog } from '@tally/core';
import { openSqliteReadStore } from '@tally/readstore';
import { applyReportBatch, applyReportEvent, CELLS, cellSharesOf, FOLDS, LEDGER, RECEIPTS, readCell, readCompleteness, type ApplyDeps } from '@tally/svc-hierarchy-rollup';
import { realRegistry } from './helpers';

/** Aggregation types on both axes and cascading deadlines, on concrete numbers (the property test covers the rest). */
const AGG: Record<string, AggregationType> = { S: 'SUM', A: 'AVERAGE', AS: 'AVERAGE_SUM_ORG_UNIT', L: 'LAST', MN: 'MIN', MX: 'MAX' };
const catalog: Catalog = {
  version: 'c1',
  legalBasis: 'test',
  dataElements: Object.entries(AGG).map(([code, aggregation]) => ({ code, name: code, valueType: 'NUMBER', aggregation })),
  indicators: [],
  templates: [{ code: 'T_M', name: 'monthly', periodType: 'MONTHLY', reportingLevel: 'commune', dataElements: Object.keys(AGG), deadlineDaysAfterPeriodEnd: 10 }],
};
const pre = realRegistry().get('pre2025')!;
const [C1, C2] = pre.childrenOf('168').map((u) => u.code) as [string, string];

function setup() {
  const store = openSqliteReadStore(':memory:');
  const deps: ApplyDeps = {
    cells: cellSharesOf(store.counters(CELLS)),
    ledger: store.collection(LEDGER),
    folds: store.collection(FOLDS),
    receipts: store.collection(RECEIPTS),
    catalogVersion: async () => catalog,
    path: async (_h, unit) => pre.pathOf(unit).map((u) => ({ code: u.code, levelIndex: pre.levelIndex(u.level) })),
  };
  let position = 0;
  const versions = new Map<string, number>();
  const make = (orgUnit: string, period: string, values: Record<string, number>, submittedAt: string): StoredEvent => {
    const reportId = `report-T_M-${orgUnit}-${period}`;
    const v = (versions.get(reportId) ?? 0) + 1;
    versions.set(reportId, v);
    position++;
    const e: StoredEvent = {
      id: `e${position}`, type: v === 1 ? 'tally.report.submitted' : 'tally.report.amended', source: 't', subject: reportId, time: submittedAt, schemaVersion: 1,
      actor: { id: 't' }, correlationId: 'c', streamVersion: v, position,
      data: { reportId, template: 'T_M', orgUnit, period, hierarchy: 'pre2025', submissionId: `s${position}`, figures: 'official', catalogVersion: 'c1', submittedAt, contentHash: 'h',
        values: Object.entries(values).map(([dataElement, value]) => ({ dataElement, value })) },
    };
    return e;
  };
  const send = (orgUnit: string, period: string, values: Record<string, number>, submittedAt: string, partition = 0) =>
    applyReportEvent(deps, make(orgUnit, period, values, submittedAt), partition);
  const read = async (unit: string, period: string) => cellValues(await readCell(deps.cells, 'pre2025', 'latest', unit, period), (k) => AGG[k]);
  return { store, deps, make, send, read };
}

describe('aggregation types in the incremental rollup', () => {
  it('folds time per unit, then aggregates units, and stays exact under amendments', async () => {
    const { store, send, read } = setup();
    // C1: January 10, March 30 (two partitions); C2: February 5
    await send(C1, '202401', { S: 10, A: 10, AS: 10, L: 10, MN: 10, MX: 10 }, '2024-02-01T00:00:00Z', 0);
    await send(C1, '202403', { S: 30, A: 30, AS: 30, L: 30, MN: 30, MX: 30 }, '2024-04-01T00:00:00Z', 1);
    await send(C2, '202402', { S: 5, A: 5, AS: 5, L: 5, MN: 5, MX: 5 }, '2024-03-01T00:00:00Z', 2);
    // C1's quarter: sum 40, mean 20, last 30, min 10, max 30
    expect(await read(C1, '2024Q1')).toEqual({ S: 40, A: 20, AS: 20, L: 30, MN: 10, MX: 30 });
    // the district: SUM 45; AVERAGE = mean of units' means (20, 5) = 12.5; AVERAGE_SUM_ORG_UNIT = 20 + 5; LAST = 30 + 5
    expect(await read('168', '2024Q1')).toEqual({ S: 45, A: 12.5, AS: 25, L: 35, MN: 5, MX: 30 });
    // amend C2's February (raise everything to 50), then C1's March (drop every value): retraction everywhere
    await send(C2, '202402', { S: 50, A: 50, AS: 50, L: 50, MN: 50, MX: 50 }, '2024-03-02T00:00:00Z', 2);
    await send(C1, '202403', {}, '2024-04-02T00:00:00Z', 1);
    expect(await read('168', '2024Q1')).toEqual({ S: 60, A: 30, AS: 60, L: 60, MN: 10, MX: 50 });
    expect(await read('VN', '2024')).toEqual({ S: 60, A: 30, AS: 60, L: 60, MN: 10, MX: 50 });
    await store.close();
  });

  it('counts a report on time at each tier against that tier deadline (deadlines cascade)', async () => {
    const { store, deps, send } = setup();
    // 202401 ends 2024-01-31; commune deadline +10 days = 02-10, district 02-15, province 02-20, VN 02-25
    await send(C1, '202401', { S: 1 }, '2024-02-12T02:00:00Z'); // late for the commune, on time for the district
    await send(C2, '202401', { S: 1 }, '2024-02-10T16:30:00Z'); // 23:30 in Vietnam on the 10th: on time everywhere
    const onTime = async (unit: string) => (await readCell(deps.cells, 'pre2025', 'latest', unit, '202401')).onTime.T_M ?? 0;
    expect(await onTime(C1)).toBe(0);
    expect(await onTime(C2)).toBe(1);
    expect(await onTime('168')).toBe(2);
    const hierarchies = () => realRegistry();
    const catalogQuery = { catalogFor: async () => catalog } as unknown as CatalogQuery;
    const commune = await readCompleteness({ stores: deps, catalog: catalogQuery, hierarchies }, { orgUnit: C1, period: '202401', template: 'T_M' });
    expect(commune).toMatchObject({ tier: 0, deadline: '2024-02-10', expected: 1, received: 1, onTime: 0, late: [{ code: C1 }] });
    const district = await readCompleteness({ stores: deps, catalog: catalogQuery, hierarchies }, { orgUnit: '168', period: '202401', template: 'T_M' });
    expect(district).toMatchObject({ tier: 1, deadline: '2024-02-15', expected: 14, received: 2, onTime: 2, late: [] });
    expect(district.missing).toHaveLength(12);
    await store.close();
  });
});

describe('a consumer batch applied as one', () => {
  const C3 = pre.childrenOf('168')[2]!.code;
  const batchOf = (make: ReturnType<typeof setup>['make']) => [
    make(C1, '202401', { S: 10, MN: 10, MX: 10 }, '2024-02-01T00:00:00Z'),
    make(C2, '202401', { S: 5, MN: 5, MX: 5 }, '2024-02-01T00:00:00Z'),
    make(C3, '202401', { S: 7, MN: 7, MX: 7 }, '2024-02-01T00:00:00Z'),
    make(C1, '202401', { S: 1, MN: 1, MX: 1 }, '2024-02-02T00:00:00Z'), // C1 amended in the same batch
  ];

  it('equals the events applied one by one, amendments within the batch included', async () => {
    const one = setup();
    for (const e of batchOf(one.make)) await applyReportEvent(one.deps, e, 0);
    const all = setup();
    await applyReportBatch(all.deps, batchOf(all.make), 0);
    for (const unit of [C1, '168', 'VN']) expect(await all.read(unit, '2024')).toEqual(await one.read(unit, '2024'));
    expect(await all.read('VN', '202401')).toEqual({ S: 13, MN: 1, MX: 7 });
    await Promise.all([one.store.close(), all.store.close()]);
  });

  it('stays exact when a crash lost the ledger write and a larger batch is redelivered', async () => {
    const { store, deps, make, read } = setup();
    const events = batchOf(make);
    const ledger = deps.ledger;
    let crash = true;
    const crashing = { ...deps, ledger: { ...ledger, get: ledger.get.bind(ledger), getMany: ledger.getMany.bind(ledger), updateMany: async (ops: Parameters<typeof ledger.updateMany>[0]) => {
      if (crash) {
        crash = false;
        throw new Error('crash before the ledger write');
      }
      return ledger.updateMany(ops);
    } } };
    // the first two events: their cells are written, the ledger is not
    await expect(applyReportBatch(crashing, events.slice(0, 2), 0)).rejects.toThrow('crash');
    // redelivered with more events than the first delivery had
    await applyReportBatch(deps, events.slice(0, 3), 0);
    expect(await read('VN', '202401')).toEqual({ S: 22, MN: 5, MX: 10 });
    await applyReportBatch(deps, events, 0);
    await applyReportBatch(deps, events, 0); // a second redelivery changes nothing
    expect(await read('VN', '202401')).toEqual({ S: 13, MN: 1, MX: 7 });
    expect(await read('168', '2024')).toEqual({ S: 13, MN: 1, MX: 7 });
    await store.close();
  });

  it('stays exact when a crash left the cell write half done (no transaction, as in MongoDB)', async () => {
    const { store, deps, make, read } = setup();
    const events = batchOf(make);
    const cells = deps.cells;
    const halfDone = { ...deps, cells: { ...cells, write: async (writes: Parameters<typeof cells.write>[0]) => {
      await cells.write(writes.slice(0, Math.floor(writes.length / 2)));
      throw new Error('crash in the middle of the cell write');
    } } };
    await expect(applyReportBatch(halfDone, events.slice(0, 3), 0)).rejects.toThrow('crash');
    await applyReportBatch(deps, events.slice(0, 2), 0); // a smaller batch redelivered first
    await applyReportBatch(deps, events, 0);
    expect(await read('VN', '202401')).toEqual({ S: 13, MN: 1, MX: 7 });
    expect(await read(C3, '2024Q1')).toEqual({ S: 7, MN: 7, MX: 7 });
    await store.close();
  });
});
