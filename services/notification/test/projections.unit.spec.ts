import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '@tally/contracts';
import { readEvent, REPORT_EVENT_SCHEMA, type ReportValuesData, type TaskAssignedData } from '@tally/core';
import { openSqliteReadStore } from '@tally/readstore';
import { projectionSpec, stored, streamOf } from '@tally/testkit/spec';
import { project } from '../src/projections';
import { ReportsIn } from '../src/reports-in';
import { accountKey, collections } from '../src/stores';

/** The notification read models as given/when/then: each is rebuilt from events, and the same events applied again change nothing. */
function projection() {
  const stores = collections(openSqliteReadStore(':memory:'));
  const all = async () => ({
    accounts: await stores.accounts.find({}),
    unitAccounts: await stores.unitAccounts.find({}),
    preferences: await stores.preferences.find({}),
    reads: await stores.reads.find({}),
    readMarks: (await stores.readMarks.find({})).sort((a, b) => (a._id < b._id ? -1 : 1)),
    tasks: await stores.tasks.find({}),
    taskUnits: (await stores.taskUnits.find({})).sort((a, b) => (a._id < b._id ? -1 : 1)),
    taskKeys: await stores.taskKeys.find({}),
    received: await stores.received.find({}),
  });
  return projectionSpec(async (events: StoredEvent[]) => {
    // as the inbox consumer does: reports in gathered for the batch, written at its end
    const reportsIn = new ReportsIn();
    for (const e of events) {
      await project(stores, e);
      const r = readEvent(REPORT_EVENT_SCHEMA, e);
      if (r?.type === 'tally.report.submitted') reportsIn.add(e, r.data, null, null);
    }
    await reportsIn.write(stores, async () => 0);
  }, all);
}

const task: TaskAssignedData = {
  taskId: 't1',
  title: 'Rà soát hộ nghèo',
  body: 'Kiểm tra danh sách',
  orgUnits: ['01840', '01841'],
  dueDate: '2026-08-01',
  template: 'M1719_S',
  period: '2026S1',
  hierarchy: '2025',
  assignedBy: '19',
};
const report: ReportValuesData = {
  reportId: 'report-M1719_S-01840-2026S1',
  template: 'M1719_S',
  orgUnit: '01840',
  period: '2026S1',
  hierarchy: '2025',
  submissionId: 's1',
  figures: 'official',
  catalogVersion: '1',
  values: [],
  submittedAt: '2026-07-01T00:00:00.000Z',
  contentHash: 'h',
};

describe('notification projections, given/then (applied twice: no change)', () => {
  it('given an account created, its e-mail changed and disabled, then the account as it is now; its other events change nothing', async () => {
    const account = streamOf('account-an', [
      { type: 'tally.account.created', data: { username: 'an', role: 'commune_officer', orgUnit: '01840', passwordHash: 'x', email: 'an@example.org' } },
      { type: 'tally.account.logged-in', data: { username: 'an', jti: 'j', expiresAt: '2026-08-01T00:00:00.000Z' } },
      { type: 'tally.account.email-set', data: { username: 'an', email: 'an@xa.gov.vn' } },
      { type: 'tally.account.disabled', data: { username: 'an' } },
    ]);
    const other = streamOf('account-nguyen.van.b', [{ type: 'tally.account.created', data: { username: 'nguyen.van.b', role: 'commune_officer', orgUnit: '01840', passwordHash: 'x' } }], 5);
    await projection()
      .given([...account, ...other])
      .then((m) => {
        expect(m.accounts.filter((a) => a._id === 'an')).toEqual([
          { _id: 'an', orgUnit: '01840', role: 'commune_officer', email: 'an@xa.gov.vn', disabled: true, createdAt: account[0]!.time, createdPosition: 1, v: 4 },
        ]);
        // the unit's accounts, by key (a username's dot is not a path)
        expect(m.unitAccounts).toEqual([{ _id: '01840', accounts: { [accountKey('an')]: 1, [accountKey('nguyen.van.b')]: 1 } }]);
      });
  });

  it('given preferences set twice and a message read, then the latest preferences and the read (at the event time)', async () => {
    const prefs = streamOf('notification-prefs-an', [
      { type: 'tally.notification.preferences-set', data: { username: 'an', channels: { '*': ['inbox'] }, digest: false, language: 'vi' } },
      { type: 'tally.notification.preferences-set', data: { username: 'an', channels: { '*': ['inbox'] }, digest: true, language: 'en' } },
    ]);
    const read = streamOf('notification-reads-an', [{ type: 'tally.notification.read', data: { username: 'an', messageId: 'm1' } }], 3);
    await projection()
      .given([...prefs, ...read])
      .then((m) => {
        expect(m.preferences).toEqual([{ _id: 'an', channels: { '*': ['inbox'] }, digest: true, language: 'en', v: 2 }]);
        expect(m.reads).toEqual([{ _id: 'm1|an', at: read[0]!.time, position: 3 }]);
      });
  });

  it("given a unit's messages read up to an instant twice and another unit's once, then each unit's latest mark", async () => {
    const marks = streamOf('notification-reads-an', [
      { type: 'tally.notification.read-up-to', data: { username: 'an', orgUnit: '19', upTo: '2026-12-01T10:00:00.000Z' } },
      { type: 'tally.notification.read-up-to', data: { username: 'an', orgUnit: '01840', upTo: '2026-12-01T08:00:00.000Z' } },
      { type: 'tally.notification.read-up-to', data: { username: 'an', orgUnit: '19', upTo: '2026-12-02T09:00:00.000Z' } },
    ], 7);
    await projection()
      .given(marks)
      .then((m) =>
        expect(m.readMarks).toEqual([
          { _id: '01840|an', upTo: '2026-12-01T08:00:00.000Z', position: 8 },
          { _id: '19|an', upTo: '2026-12-02T09:00:00.000Z', position: 9 },
        ]),
      );
  });

  it('given a task assigned and a unit done, and a report in, then the task with who is done (at the event time), its units and the report received', async () => {
    const events = [
      ...streamOf('task-t1', [
        { type: 'tally.task.assigned', data: task },
        { type: 'tally.task.done', data: { taskId: 't1', orgUnit: '01840', via: 'report', reportId: report.reportId } },
      ]),
      stored({ type: 'tally.report.submitted', data: report }, { subject: report.reportId, streamVersion: 1, position: 3 }),
    ];
    await projection()
      .given(events)
      .then((m) => {
        expect(m.tasks).toEqual([
          {
            _id: 't1',
            title: task.title,
            body: task.body,
            orgUnits: task.orgUnits,
            dueDate: task.dueDate,
            template: 'M1719_S',
            period: '2026S1',
            assignedBy: '19',
            createdAt: events[0]!.time,
            done: { '01840': { at: events[1]!.time, via: 'report' } },
            v: 2,
          },
        ]);
        expect(m.taskUnits.map((u) => [u._id, u.reportKey])).toEqual([
          ['t1|01840', 'M1719_S|2026S1'],
          ['t1|01841', 'M1719_S|2026S1'],
        ]);
        expect(m.taskKeys.map((k) => [k._id, k.tasks])).toEqual([
          ['M1719_S|2026S1|01840', { t1: 1 }],
          ['M1719_S|2026S1|01841', { t1: 1 }],
        ]);
        expect(m.received).toEqual([{ _id: 'M1719_S|2026S1|01840', template: 'M1719_S', period: '2026S1', orgUnit: '01840', reportId: report.reportId }]);
      });
  });

  it('given events of types it does not keep, then nothing', async () => {
    const other = streamOf('notification-webhooks', [{ type: 'tally.notification.webhook-registered', data: { id: 'h' } }]);
    await projection()
      .given(other)
      .then((m) => expect(Object.values(m).every((rows) => rows.length === 0)).toBe(true));
  });
});
