import { describe, expect, it } from 'vitest';
import {
  NOTICE_EVENT_SCHEMA,
  noticeDecider,
  preferencesDecider,
  readEvent,
  readsDecider,
  TASK_EVENT_SCHEMA,
  taskDecider,
  UnknownSchemaVersionError,
  webhooksDecider,
  type DeadlineDueData,
  type NoticeEvent,
  type TaskAssignedData,
  type TaskCommand,
  type TaskEvent,
  type TaskState,
} from '../src';
import { deciderSpec } from '@tally/testkit/spec';

/** The notification streams' deciders as given/when/then (pure: no store, no clock). */
const task: TaskAssignedData = {
  taskId: 't1',
  title: 'Rà soát hộ nghèo',
  body: null,
  orgUnits: ['01840', '01841'],
  dueDate: '2026-08-01',
  template: 'M1719_S',
  period: '2026S1',
  hierarchy: '2025',
  assignedBy: '19',
};
const assigned: TaskEvent = { type: 'tally.task.assigned', data: task };
const doneBy = (orgUnit: string, via: 'report' | 'manual', reportId: string | null = null): TaskEvent => ({ type: 'tally.task.done', data: { taskId: 't1', orgUnit, via, reportId } });

const tasks = deciderSpec<TaskCommand, TaskEvent, TaskState | null>({
  initialState: taskDecider.initialState,
  evolve: (s, e) => taskDecider.evolve(s, e, { time: '2026-07-01T00:00:00.000Z' }),
  decide: taskDecider.decide,
});

describe('the task decider, given/when/then', () => {
  it('given nothing, when assigned with one unit already reported, then assigned and that unit done (a unit outside the task is ignored)', () => {
    tasks
      .given([])
      .when({ kind: 'assign', task, reported: [{ orgUnit: '01841', reportId: 'r1' }, { orgUnit: '99999', reportId: 'x' }] })
      .then([assigned, doneBy('01841', 'report', 'r1')]);
  });

  it('given a task, when a unit is done by hand, then done; once done, done again decides nothing (at most once per unit)', () => {
    tasks.given([assigned]).when({ kind: 'done', orgUnit: '01840', via: 'manual' }).then([doneBy('01840', 'manual')]);
    tasks.given([assigned, doneBy('01840', 'manual')]).when({ kind: 'done', orgUnit: '01840', via: 'report', reportId: 'r2' }).then([]);
  });

  it('refuses a second assignment, a unit the task does not address, a task that does not exist and a unit named twice', () => {
    tasks.given([assigned]).when({ kind: 'assign', task, reported: [] }).thenRefuses('INVALID_TRANSITION');
    tasks.given([assigned]).when({ kind: 'done', orgUnit: '01842', via: 'manual' }).thenRefuses('INVALID_REQUEST');
    tasks.given([]).when({ kind: 'done', orgUnit: '01840', via: 'manual' }).thenRefuses('NOT_FOUND');
    tasks.given([]).when({ kind: 'assign', task: { ...task, orgUnits: ['01840', '01840'] }, reported: [] }).thenRefuses('INVALID_REQUEST');
  });

  it('folds deterministically: when a unit was done is the event time, never the clock', () => {
    const state = [assigned, doneBy('01840', 'manual')].reduce<TaskState | null>((s, e) => taskDecider.evolve(s, e, { time: '2026-07-09T03:00:00.000Z' }), null);
    expect(state?.done).toEqual({ '01840': { at: '2026-07-09T03:00:00.000Z', via: 'manual' } });
  });
});

const notice: DeadlineDueData = {
  rule: 'overdue',
  template: 'M1719_S',
  period: '2026S1',
  tier: 0,
  orgUnit: '01840',
  deadline: '2026-07-15',
  offset: 0,
  expected: 1,
  missing: 1,
  recipients: ['01840', '19'],
  day: '2026-07-16',
  hierarchy: '2025',
};
const due: NoticeEvent = { type: 'tally.notification.deadline-due', data: notice };

describe('the notice decider (deadline notices, figure complete): at most once per key', () => {
  const spec = deciderSpec(noticeDecider);
  it('given nothing, when recorded, then the notice; given it, when recorded again (a replay, another replica, a later day), then nothing', () => {
    spec.given([]).when({ type: 'RecordNotice', notice: due }).then([due]);
    spec.given([due]).when({ type: 'RecordNotice', notice: due }).then([]);
    spec.given([due]).when({ type: 'RecordNotice', notice: { ...due, data: { ...notice, day: '2026-07-17', missing: 0 } } }).then([]);
  });

  it('the first notice stays when a stream somehow holds two', () => {
    const figure: NoticeEvent = { type: 'tally.notification.figure-complete', data: { orgUnit: '19', template: 'M1719_S', period: '2026S1', expected: 3 } };
    expect([figure, { ...figure, data: { ...figure.data, expected: 4 } }].reduce(noticeDecider.evolve, noticeDecider.initialState())).toEqual(figure);
  });
});

describe('the preferences decider', () => {
  const spec = deciderSpec(preferencesDecider);
  it('given nothing, when some preferences are set, then the whole setting with the defaults for the rest', () => {
    spec
      .given([])
      .when({ type: 'SetPreferences', data: { username: 'an', digest: true } })
      .then([{ type: 'tally.notification.preferences-set', data: { username: 'an', channels: { '*': ['inbox', 'email'] }, digest: true, language: 'vi' } }]);
  });

  it('given a setting, when only the language changes, then the channels and the digest in force are kept', () => {
    const before = { type: 'tally.notification.preferences-set' as const, data: { username: 'an', channels: { 'task.assigned': ['inbox' as const] }, digest: true, language: 'vi' as const } };
    spec
      .given([before])
      .when({ type: 'SetPreferences', data: { username: 'an', language: 'en' } })
      .then([{ type: 'tally.notification.preferences-set', data: { ...before.data, language: 'en' } }]);
  });
});

describe('the reads decider: a message is read once', () => {
  const spec = deciderSpec(readsDecider);
  const read = (messageId: string) => ({ type: 'tally.notification.read' as const, data: { username: 'an', messageId } });
  it('given m1 read, when m1 is read again, then nothing; when m2 is read, then read', () => {
    spec.given([read('m1')]).when({ type: 'MarkRead', data: { username: 'an', messageId: 'm1' } }).then([]);
    spec.given([read('m1')]).when({ type: 'MarkRead', data: { username: 'an', messageId: 'm2' } }).then([read('m2')]);
  });

  it("reads a unit's messages up to an instant in one event; the same or an earlier instant again: nothing", () => {
    const upTo = (orgUnit: string, at: string) => ({ type: 'tally.notification.read-up-to' as const, data: { username: 'an', orgUnit, upTo: at } });
    const mark = (orgUnit: string, at: string) => ({ type: 'MarkReadUpTo' as const, data: { username: 'an', orgUnit, upTo: at } });
    spec.given([]).when(mark('19', '2026-12-02T10:00:00.000Z')).then([upTo('19', '2026-12-02T10:00:00.000Z')]);
    spec.given([upTo('19', '2026-12-02T10:00:00.000Z')]).when(mark('19', '2026-12-02T10:00:00.000Z')).then([]);
    spec.given([upTo('19', '2026-12-02T10:00:00.000Z')]).when(mark('19', '2026-12-01T09:00:00.000Z')).then([]);
    spec.given([upTo('19', '2026-12-02T10:00:00.000Z')]).when(mark('19', '2026-12-02T11:00:00.000Z')).then([upTo('19', '2026-12-02T11:00:00.000Z')]);
    // per unit: another unit's mark does not cover this one
    spec.given([upTo('19', '2026-12-02T10:00:00.000Z')]).when(mark('01840', '2026-12-01T00:00:00.000Z')).then([upTo('01840', '2026-12-01T00:00:00.000Z')]);
    // one by one and up to an instant live side by side
    spec.given([read('m1'), upTo('19', '2026-12-02T10:00:00.000Z')]).when({ type: 'MarkRead', data: { username: 'an', messageId: 'm1' } }).then([]);
  });
});

describe('the webhooks decider: an id is registered once', () => {
  const spec = deciderSpec(webhooksDecider);
  const hook = { id: 'h1', url: 'https://example.org/hook', events: ['*'], orgUnit: '19', secret: 'a-secret-of-16-chars', createdBy: 'an' };
  const registered = { type: 'tally.notification.webhook-registered' as const, data: hook };
  it('given nothing, when registered, then registered; given it, when the same id comes again, then nothing', () => {
    spec.given([]).when({ type: 'RegisterWebhook', data: hook }).then([registered]);
    spec.given([registered]).when({ type: 'RegisterWebhook', data: { ...hook, url: 'https://example.org/other' } }).then([]);
    spec.given([registered]).when({ type: 'RegisterWebhook', data: { ...hook, id: 'h2' } }).then([{ ...registered, data: { ...hook, id: 'h2' } }]);
  });
});

describe('notification event schemas: stored events are read, typed and upcast, by schemaVersion', () => {
  const stored = (type: string, data: unknown, schemaVersion = 1) => ({ type, data, schemaVersion });

  it('reads a version-1 event as the current type; leaves other streams\' types out; refuses a newer schema than it knows', () => {
    expect(readEvent(NOTICE_EVENT_SCHEMA, stored('tally.notification.deadline-due', notice))).toEqual(due);
    expect(readEvent(NOTICE_EVENT_SCHEMA, stored('tally.task.done', {}))).toBeNull();
    expect(() => readEvent(TASK_EVENT_SCHEMA, stored('tally.task.done', {}, 2))).toThrow(UnknownSchemaVersionError);
  });

  it('when a task event changes shape, a version-1 event is lifted by the upcaster the schema gains', () => {
    // the mechanism a future shape change uses: a v1 -> v2 upcaster on the type; v1 events are read in the v2 shape
    const v2 = { ...TASK_EVENT_SCHEMA, upcasters: { 'tally.task.done': { 1: (d: unknown) => ({ ...(d as object), reportId: (d as { reportId?: string | null }).reportId ?? null }) } } };
    expect(readEvent(v2, stored('tally.task.done', { taskId: 't1', orgUnit: '01840', via: 'manual' }))).toEqual(doneBy('01840', 'manual'));
  });
});
