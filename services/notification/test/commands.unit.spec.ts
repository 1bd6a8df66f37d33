import { describe, expect, it } from 'vitest';
import type { EventContext } from '@tally/contracts';
import { deadlineStreamId, type DeadlineDueData, type TaskAssignedData } from '@tally/core';
import { openSqliteEventStore } from '@tally/eventstore';
import { assignTask, markRead, markTaskDone, recordNotice, registerWebhook, setPreferences } from '../src/commands';
import { WebhookRegistry } from '../src/webhook-registry';

/** The notification commands through the one command handler, on an in-memory event store: what each appends, and "at most once per key". */
const ctx: EventContext = { actor: { id: 'an' }, correlationId: 'c', time: '2026-07-16T01:00:00.000Z' };
const types = async (store: ReturnType<typeof openSqliteEventStore>, stream: string) => (await store.readStream(stream)).map((e) => e.type);
const refusal = async (p: Promise<unknown>) => p.then(() => 'accepted', (err: { code?: string }) => err.code);

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
const task: TaskAssignedData = {
  taskId: '6f1c2a4e-0000-4000-8000-000000000001',
  title: 'Rà soát',
  body: null,
  orgUnits: ['01840', '01841'],
  dueDate: '2026-08-01',
  template: 'M1719_S',
  period: '2026S1',
  hierarchy: '2025',
  assignedBy: '19',
};

describe('notification commands (handleCommand with core deciders)', () => {
  it('records a deadline notice at most once per key, also when several replicas race for it', async () => {
    const store = openSqliteEventStore(':memory:');
    const stream = deadlineStreamId('overdue-M1719_S-01840-2026S1-0');
    const raced = await Promise.all([1, 2, 3, 4].map(() => recordNotice(store, stream, { type: 'tally.notification.deadline-due', data: notice }, ctx)));
    expect(raced.filter(Boolean)).toHaveLength(1);
    expect(await recordNotice(store, stream, { type: 'tally.notification.deadline-due', data: { ...notice, day: '2026-07-17' } }, ctx)).toBe(false);
    const events = await store.readStream(stream);
    expect(events.map((e) => [e.type, e.schemaVersion, (e.data as DeadlineDueData).day])).toEqual([['tally.notification.deadline-due', 1, '2026-07-16']]);
  });

  it('assigns a task with the units already reported done; a unit is done once, by hand or by report; an unaddressed unit is refused', async () => {
    const store = openSqliteEventStore(':memory:');
    const stream = `task-${task.taskId}`;
    expect(await assignTask(store, task, [{ orgUnit: '01841', reportId: 'r1' }], ctx)).toEqual({ done: 1, position: 1 });
    expect(await refusal(assignTask(store, task, [], ctx))).toBe('INVALID_TRANSITION');
    const both = await Promise.all([markTaskDone(store, task.taskId, { orgUnit: '01840', via: 'manual' }, ctx), markTaskDone(store, task.taskId, { orgUnit: '01840', via: 'report', reportId: 'r2' }, ctx)]);
    expect(both.filter(Boolean)).toHaveLength(1);
    expect(await markTaskDone(store, task.taskId, { orgUnit: '01841', via: 'manual' }, ctx)).toBe(false);
    expect(await refusal(markTaskDone(store, task.taskId, { orgUnit: '01842', via: 'manual' }, ctx))).toBe('INVALID_REQUEST');
    expect(await types(store, stream)).toEqual(['tally.task.assigned', 'tally.task.done', 'tally.task.done']);
  });

  it('sets preferences over the setting in force on the account\'s stream', async () => {
    const store = openSqliteEventStore(':memory:');
    const first = await setPreferences(store, { username: 'an', channels: { '*': ['inbox'] } }, ctx);
    expect(first.data).toEqual({ username: 'an', channels: { '*': ['inbox'] }, digest: false, language: 'vi' });
    const second = await setPreferences(store, { username: 'an', language: 'en' }, ctx);
    expect(second).toEqual({ data: { username: 'an', channels: { '*': ['inbox'] }, digest: false, language: 'en' }, position: 2 });
  });

  it('records a message read once (at the event time); registers a webhook id once and the registry reads it typed', async () => {
    const store = openSqliteEventStore(':memory:');
    expect(await markRead(store, 'an', 'm1', ctx)).toEqual({ at: ctx.time, position: 1 });
    expect(await markRead(store, 'an', 'm1', ctx)).toBeNull();
    expect(await types(store, 'notification-reads-an')).toEqual(['tally.notification.read']);
    const hook = { id: '6f1c2a4e-0000-4000-8000-0000000000aa', url: 'https://example.org/hook', events: ['*'], orgUnit: '19', secret: 'a-secret-of-16-chars', createdBy: 'an' };
    expect(await registerWebhook(store, hook, ctx)).toBe(true);
    expect(await registerWebhook(store, hook, ctx)).toBe(false);
    const registry = new WebhookRegistry(store);
    expect(await registry.get(hook.id)).toEqual({ ...hook, position: 2, createdAt: ctx.time });
    expect(await registry.before(2)).toEqual([]);
  });
});
