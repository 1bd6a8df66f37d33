import { describe, expect, it } from 'vitest';
import type { EventContext, HierarchyQuery, OrgUnitView, StoredEvent } from '@tally/contracts';
import type { ReportValuesData, TaskAssignedData } from '@tally/core';
import { openSqliteEventStore } from '@tally/eventstore';
import { openSqliteReadStore } from '@tally/readstore';
import { stored } from '@tally/testkit/spec';
import { assignTask } from '../src/commands';
import { inboxEventHandler } from '../src/inbox-consumer';
import { listAccountsByUnit } from '../src/projections';
import { collections, type Stores } from '../src/stores';
import { WebhookRegistry } from '../src/webhook-registry';

const ctx: EventContext = { actor: { id: 'cb-d' }, correlationId: 'c' };
const HIERARCHY = '2025';

/** A district D with two communes, A and B, under VN. */
const units: OrgUnitView[] = [
  { code: 'VN', name: 'Việt Nam', shortName: 'VN', type: 'country', level: 'country', parentCode: null },
  { code: 'D', name: 'Huyện D', shortName: 'D', type: 'district', level: 'district', parentCode: 'VN' },
  { code: 'A', name: 'Xã A', shortName: 'A', type: 'commune', level: 'commune', parentCode: 'D' },
  { code: 'B', name: 'Xã B', shortName: 'B', type: 'commune', level: 'commune', parentCode: 'D' },
];
const hierarchy: HierarchyQuery = {
  versionFor: async () => HIERARCHY,
  versions: async () => [{ id: HIERARCHY, validFrom: '2025-07-01', levels: ['country', 'district', 'commune'] }],
  unit: async (_h, code) => units.find((u) => u.code === code),
  path: async () => [],
  children: async (_h, code) => units.filter((u) => u.parentCode === code),
  countAtLevel: async (_h, code, level) => units.filter((u) => u.parentCode === code && u.level === level).length,
};

const report = (orgUnit: string, position: number): StoredEvent => {
  const data: ReportValuesData = {
    reportId: `report-M1719_S-${orgUnit}-2026S1`,
    template: 'M1719_S',
    orgUnit,
    period: '2026S1',
    hierarchy: HIERARCHY,
    submissionId: `s-${orgUnit}`,
    figures: 'official',
    catalogVersion: '1',
    values: [{ dataElement: 'HH_TOTAL', value: 10 }],
    submittedAt: '2026-07-01T00:00:00.000Z',
    contentHash: `h-${orgUnit}`,
  };
  return stored({ type: 'tally.report.submitted', data }, { subject: data.reportId, streamVersion: 1, position });
};

/** The stores, counting the writes and reads of the reports-in collections. */
function countedStores(): { stores: Stores; calls: Record<string, number> } {
  const stores = collections(openSqliteReadStore(':memory:'));
  const calls: Record<string, number> = {};
  for (const name of ['received', 'completeness', 'taskKeys'] as const) {
    const c = stores[name] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const method of ['get', 'getMany', 'update', 'updateMany']) {
      const original = c[method]!.bind(c);
      c[method] = (...args: unknown[]) => {
        calls[`${name}.${method}`] = (calls[`${name}.${method}`] ?? 0) + 1;
        return original(...args);
      };
    }
  }
  return { stores, calls };
}

describe('notification: the inbox consumer, a batch at a time', () => {
  it('given a report, a task for its unit and another report in one batch, then both units are done, the parent is told once, and the reports in are written once; redelivery adds nothing', async () => {
    const store = openSqliteEventStore(':memory:');
    const { stores, calls } = countedStores();
    const handle = inboxEventHandler({ platform: { store, nudgeRelay: () => undefined }, hierarchy, stores, webhooks: new WebhookRegistry(store), emailEnabled: false, nudgeDispatcher: () => undefined });
    const task: TaskAssignedData = { taskId: 't1', title: 'Nộp báo cáo', body: null, orgUnits: ['A', 'B'], dueDate: '2026-07-15', template: 'M1719_S', period: '2026S1', hierarchy: HIERARCHY, assignedBy: 'D' };
    await assignTask(store, task, [], ctx);
    const assigned = (await store.readStream('task-t1'))[0]!;
    // B's report before the task (the task finds it among the batch's reports in), A's after (A's report finds the
    // task among the batch's assignments: it was read before the task's keys were written)
    const batch = [report('B', 10), assigned, report('A', 11)];

    await handle(batch);
    // one read of the waiting tasks (and the task's own keys written), one read and one write of the reports in, one
    // write and one read of the parents, one write of `told`
    expect({ ...calls }).toEqual({ 'taskKeys.getMany': 1, 'taskKeys.updateMany': 1, 'received.getMany': 1, 'received.updateMany': 1, 'completeness.updateMany': 2, 'completeness.getMany': 1 });
    const taskEvents = async () => (await store.readStream('task-t1')).map((e) => [e.type, (e.data as { orgUnit?: string }).orgUnit ?? null]);
    const notices = async () => (await store.readAll(0, 1000)).filter((e) => e.type === 'tally.notification.figure-complete');
    expect(await taskEvents()).toEqual([
      ['tally.task.assigned', null],
      ['tally.task.done', 'B'],
      ['tally.task.done', 'A'],
    ]);
    const told = await notices();
    expect(told.map((e) => [e.data, e.causationId])).toEqual([[{ orgUnit: 'D', template: 'M1719_S', period: '2026S1', expected: 2 }, batch[2]!.id]]);
    expect((await stores.received.find({})).map((d) => [d._id, d.reportId]).sort()).toEqual([
      ['M1719_S|2026S1|A', 'report-M1719_S-A-2026S1'],
      ['M1719_S|2026S1|B', 'report-M1719_S-B-2026S1'],
    ]);
    expect(await stores.completeness.get(`M1719_S|2026S1|${HIERARCHY}|D`)).toMatchObject({ units: { A: 1, B: 1 }, told: true });

    await handle(batch); // redelivered
    expect(await taskEvents()).toHaveLength(3);
    expect(await notices()).toHaveLength(1);
  });

  it('given the parent’s units in two batches, then it is told after the second, by its report', async () => {
    const store = openSqliteEventStore(':memory:');
    const { stores } = countedStores();
    const handle = inboxEventHandler({ platform: { store, nudgeRelay: () => undefined }, hierarchy, stores, webhooks: new WebhookRegistry(store), emailEnabled: false, nudgeDispatcher: () => undefined });
    const notices = async () => (await store.readAll(0, 1000)).filter((e) => e.type === 'tally.notification.figure-complete');
    await handle([report('A', 1)]);
    expect(await notices()).toEqual([]);
    const second = report('B', 2);
    await handle([second]);
    expect((await notices()).map((e) => e.causationId)).toEqual([second.id]);
  });

  it('given e-mail on, then a report’s message reaches its unit’s accounts through the unit’s document, also for accounts projected before it existed, and the accounts are never filtered by unit', async () => {
    const store = openSqliteEventStore(':memory:');
    const stores = collections(openSqliteReadStore(':memory:'));
    let accountFinds = 0;
    const find = stores.accounts.find.bind(stores.accounts);
    stores.accounts.find = (filter, options) => {
      accountFinds++;
      return find(filter, options);
    };
    const handle = inboxEventHandler({ platform: { store, nudgeRelay: () => undefined }, hierarchy, stores, webhooks: new WebhookRegistry(store), emailEnabled: true, nudgeDispatcher: () => undefined });
    const created = (username: string, orgUnit: string, position: number) =>
      stored({ type: 'tally.account.created', data: { username, role: 'commune_officer', orgUnit, passwordHash: 'x', email: `${username}@xa.gov.vn` } }, { subject: `account-${username}`, streamVersion: 1, position });
    // an account projected by a version without the unit documents: listed at start
    await stores.accounts.put({ _id: 'cu.d', orgUnit: 'D', role: 'district_officer', email: 'cu.d@huyen.gov.vn', disabled: false, createdAt: '2026-01-01T00:00:00.000Z', createdPosition: 1, v: 1 });
    await listAccountsByUnit(stores);
    await handle([created('moi.a', 'A', 2), created('moi.d', 'D', 3)]);
    await handle([report('A', 10)]); // a message for the district (a report of one of its communes is in)
    const targets = (await stores.outbox.find({})).map((d) => [d.orgUnit, d.target]).sort();
    expect(targets).toEqual([
      ['D', 'cu.d'],
      ['D', 'moi.d'],
    ]);
    expect(accountFinds).toBe(1); // the one listing at start
  });
});
