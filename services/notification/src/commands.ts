import { newEvent, type EventContext } from '@tally/contracts';
import {
  noticeDecider,
  noticeStream,
  preferencesDecider,
  preferencesStream,
  prefsStreamId,
  readsDecider,
  readsStream,
  readsStreamId,
  taskDecider,
  taskStream,
  taskStreamId,
  webhooksDecider,
  webhooksStream,
  WEBHOOKS_STREAM,
  type DomainEvent,
  type NoticeEvent,
  type PreferencesSetData,
  type SetPreferences,
  type TaskAssignedData,
  type TaskDoneData,
  type WebhookRegisteredData,
} from '@tally/core';
import { handleCommand, type CommandDecision, type EventStore } from '@tally/eventstore';

/**
 * Every command of the notification service, each through the one command handler (`handleCommand`: load the
 * stream typed and upcast, decide with core's decider, append with the version that was read, retry a lost race):
 * routes.ts, service.ts (the consumer) and deadline-scheduler.ts call these and nothing else appends.
 * Each answers whether it appended, so the caller nudges the relay only then.
 */
export const NOTIFICATION_SOURCE = 'tally/notification';

const envelope = (stream: string, e: DomainEvent, ctx: EventContext) => newEvent<string, unknown>(NOTIFICATION_SOURCE, stream, e, ctx);

/** The events decided, stored; or nothing to store (`none`). */
function appendOr<R>(stream: string, events: DomainEvent[], ctx: EventContext, none: R, stored: (positions: number[], time: string) => R): CommandDecision<R> {
  if (events.length === 0) return { result: none };
  const append = events.map((e) => envelope(stream, e, ctx));
  return { append, result: (appended) => stored(appended.positions, append[0]!.time) };
}

/** Records a notice under its key (its stream) at most once; true when this call recorded it. */
export function recordNotice(store: EventStore, stream: string, notice: NoticeEvent, ctx: EventContext): Promise<boolean> {
  return handleCommand(store, stream, noticeStream, (state) => appendOr(stream, noticeDecider.decide({ type: 'RecordNotice', notice }, state), ctx, false, () => true));
}

/** A new task (its id is new); units whose report is in already are done at once. */
export function assignTask(
  store: EventStore,
  task: TaskAssignedData,
  reported: Array<{ orgUnit: string; reportId: string }>,
  ctx: EventContext,
): Promise<{ done: number; position: number }> {
  const stream = taskStreamId(task.taskId);
  return handleCommand(store, stream, taskStream, (state) => {
    const events = taskDecider.decide({ kind: 'assign', task, reported }, state);
    return appendOr(stream, events, ctx, { done: 0, position: 0 }, (positions) => ({ done: events.length - 1, position: positions[0]! }));
  });
}

/** A unit of a task is done (by its report or by hand); false when it was done already. */
export function markTaskDone(
  store: EventStore,
  taskId: string,
  done: { orgUnit: string; via: TaskDoneData['via']; reportId?: string },
  ctx: EventContext,
): Promise<boolean> {
  const stream = taskStreamId(taskId);
  return handleCommand(store, stream, taskStream, (state) => appendOr(stream, taskDecider.decide({ kind: 'done', ...done }, state), ctx, false, () => true));
}

/** Sets some or all of an account's preferences over the setting in force (the account's stream, not a read model that may lag). */
export function setPreferences(store: EventStore, data: SetPreferences['data'], ctx: EventContext): Promise<{ data: PreferencesSetData; position: number }> {
  const stream = prefsStreamId(data.username);
  return handleCommand(store, stream, preferencesStream, (state) => {
    const events = preferencesDecider.decide({ type: 'SetPreferences', data }, state);
    const setting = events[0]!.data;
    return appendOr(stream, events, ctx, { data: setting, position: 0 }, (positions) => ({ data: setting, position: positions[0]! }));
  });
}

/** An account read a message: recorded once; null when it was read already. */
export function markRead(store: EventStore, username: string, messageId: string, ctx: EventContext): Promise<{ at: string; position: number } | null> {
  const stream = readsStreamId(username);
  return handleCommand(store, stream, readsStream, (state) =>
    appendOr<{ at: string; position: number } | null>(stream, readsDecider.decide({ type: 'MarkRead', data: { username, messageId } }, state), ctx, null, (positions, at) => ({ at, position: positions[0]! })),
  );
}

/** An account read every message of a unit up to an instant: recorded once per later instant; null when covered already. */
export function markReadUpTo(store: EventStore, data: { username: string; orgUnit: string; upTo: string }, ctx: EventContext): Promise<{ position: number } | null> {
  const stream = readsStreamId(data.username);
  return handleCommand(store, stream, readsStream, (state) =>
    appendOr<{ position: number } | null>(stream, readsDecider.decide({ type: 'MarkReadUpTo', data }, state), ctx, null, (positions) => ({ position: positions[0]! })),
  );
}

/** Registers a webhook (its id is new); false when the id is registered already. */
export function registerWebhook(store: EventStore, data: WebhookRegisteredData, ctx: EventContext): Promise<boolean> {
  return handleCommand(store, WEBHOOKS_STREAM, webhooksStream, (state) =>
    appendOr(WEBHOOKS_STREAM, webhooksDecider.decide({ type: 'RegisterWebhook', data }, state), ctx, false, () => true),
  );
}
