import type { EventContext, HierarchyQuery, StoredEvent } from '@tally/contracts';
import { figureCompleteStreamId, readEvent, REPORT_EVENT_SCHEMA, TASK_EVENT_SCHEMA, type FigureCompleteData, type ReportValuesData, type TaskAssignedData } from '@tally/core';
import type { Platform } from '@tally/runtime';
import { markTaskDone, recordNotice } from './commands';
import { fanOut, noFanOutWrites, writeFanOut } from './fan-out';
import { messagesFor } from './messages';
import { project, receivedId } from './projections';
import type { Stores } from './stores';
import type { WebhookRegistry } from './webhook-registry';

const REPORT_OR_INDICATOR = /^tally\.(report|indicators)\./;

/**
 * The notification.inbox consumer's handler: projects each event, marks the tasks a report completes, tells a
 * parent when its subtree's figure is complete, and fans the event's messages out to inboxes, e-mail and webhooks.
 */
export function inboxEventHandler(wiring: {
  platform: Platform;
  hierarchy: HierarchyQuery;
  stores: Stores;
  webhooks: WebhookRegistry;
  emailEnabled: boolean;
  nudgeDispatcher: () => void;
}): (events: StoredEvent[]) => Promise<void> {
  const { platform, stores, webhooks } = wiring;
  const deps = { hierarchy: wiring.hierarchy };
  const expectedCache = new Map<string, Promise<number>>();

  const system = (cause: StoredEvent): EventContext => ({ actor: { id: 'system:notification' }, correlationId: cause.correlationId, causationId: cause.id });

  /** A report is in: tasks that wait for it are done; the parent is told when its subtree's figure is complete. */
  async function onReportReceived(e: StoredEvent, d: ReportValuesData, parent: string | null, level: string | null): Promise<void> {
    const keys = await stores.taskKeys.get(`${d.template}|${d.period}|${d.orgUnit}`);
    for (const taskId of Object.keys(keys?.tasks ?? {})) await markDone(e, taskId, d.orgUnit, d.reportId);
    if (!parent || !level) return;
    const id = `${d.template}|${d.period}|${d.hierarchy}|${parent}`;
    await stores.completeness.update(id, { set: { [`units.${d.orgUnit}`]: 1 } });
    const doc = await stores.completeness.get(id);
    const cacheKey = `${d.hierarchy}|${parent}|${level}`;
    let expected = expectedCache.get(cacheKey);
    if (!expected) expectedCache.set(cacheKey, (expected = deps.hierarchy.countAtLevel(d.hierarchy, parent, level)));
    const n = await expected;
    if (!doc || doc.told || Object.keys(doc.units ?? {}).length < n) return;
    const data: FigureCompleteData = { orgUnit: parent, template: d.template, period: d.period, expected: n };
    const stream = figureCompleteStreamId(data);
    // at most once per (template, unit, period): the stream holds the one notice (a redelivery or another replica records nothing)
    if (await recordNotice(platform.store, stream, { type: 'tally.notification.figure-complete', data }, system(e))) platform.nudgeRelay();
    await stores.completeness.update(id, { set: { told: true } });
  }

  /** A task that waits for reports: the units whose report this service has already seen are done (whichever of the two arrives second marks it). */
  async function onTaskAssigned(e: StoredEvent, t: TaskAssignedData): Promise<void> {
    if (!t.template || !t.period) return;
    const received = await stores.received.getMany(t.orgUnits.map((u) => receivedId(t.template!, t.period!, u)));
    for (const r of received) await markDone(e, t.taskId, r.orgUnit, r.reportId);
  }

  async function markDone(cause: StoredEvent, taskId: string, orgUnit: string, reportId: string): Promise<void> {
    if (await markTaskDone(platform.store, taskId, { orgUnit, via: 'report', reportId }, system(cause))) platform.nudgeRelay();
  }

  async function handle(events: StoredEvent[]): Promise<void> {
    const writes = noFanOutWrites();
    if (events.length > 0) await webhooks.refreshFor(events.reduce((max, e) => Math.max(max, e.position), 0));
    for (const e of events) {
      await project(stores, e);
      const data = e.data as { hierarchy?: string; orgUnit?: string };
      const hierarchy = data.hierarchy ?? (await deps.hierarchy.versionFor(e.time.slice(0, 10)));
      const parents = new Map<string, string | null>();
      let level: string | null = null;
      if (data.orgUnit && REPORT_OR_INDICATOR.test(e.type)) {
        const unit = await deps.hierarchy.unit(hierarchy, data.orgUnit);
        parents.set(data.orgUnit, unit?.parentCode ?? null);
        level = unit?.level ?? null;
      }
      const task = readEvent(TASK_EVENT_SCHEMA, e);
      if (task?.type === 'tally.task.assigned') await onTaskAssigned(e, task.data);
      const report = readEvent(REPORT_EVENT_SCHEMA, e);
      if (report?.type === 'tally.report.submitted') await onReportReceived(e, report.data, parents.get(report.data.orgUnit) ?? null, level);
      const messages = messagesFor(e, { parentOf: (code) => parents.get(code) ?? null });
      await fanOut({ stores, hierarchy: deps.hierarchy, webhooks, emailEnabled: wiring.emailEnabled }, e, messages, hierarchy, writes);
    }
    // nothing in this loop reads the inboxes or the outbox: their writes wait for the end of the batch
    await writeFanOut(stores, writes);
    wiring.nudgeDispatcher();
  }

  return handle;
}
