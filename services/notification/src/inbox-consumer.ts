import type { EventContext, HierarchyQuery, OrgUnitView, StoredEvent } from '@tally/contracts';
import { figureCompleteStreamId, readEvent, REPORT_EVENT_SCHEMA, TASK_EVENT_SCHEMA, type ReportValuesData, type TaskAssignedData } from '@tally/core';
import type { Platform } from '@tally/runtime';
import { markTaskDone, recordNotice } from './commands';
import { fanOut, noFanOutWrites, writeFanOut } from './fan-out';
import { messagesFor } from './messages';
import { project, receivedId } from './projections';
import { ReportsIn } from './reports-in';
import type { Stores } from './stores';
import type { WebhookRegistry } from './webhook-registry';

const REPORT_OR_INDICATOR = /^tally\.(report|indicators)\./;

/**
 * The notification.inbox consumer's handler: projects each event, marks the tasks a report completes, tells a
 * parent when its subtree's figure is complete, and fans the event's messages out to inboxes, e-mail and webhooks.
 */
export function inboxEventHandler(wiring: {
  platform: Pick<Platform, 'store' | 'nudgeRelay'>;
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

  /** A report is in: the tasks that wait for it (stored before the batch, or assigned earlier in it) are done. */
  async function onReportReceived(e: StoredEvent, d: ReportValuesData, batch: Batch): Promise<void> {
    const key = receivedId(d.template, d.period, d.orgUnit);
    const tasks = new Set([...Object.keys(batch.taskKeys.get(key)?.tasks ?? {}), ...(batch.assigned.get(key) ?? [])]);
    for (const taskId of tasks) await markDone(e, taskId, d.orgUnit, d.reportId);
  }

  /** A task that waits for reports: the units whose report this service has already seen are done (whichever of the two arrives second marks it). */
  async function onTaskAssigned(e: StoredEvent, t: TaskAssignedData, batch: Batch): Promise<void> {
    if (!t.template || !t.period) return;
    for (const u of t.orgUnits) {
      const key = receivedId(t.template, t.period, u);
      batch.assigned.set(key, [...(batch.assigned.get(key) ?? []), t.taskId]);
    }
    const received = await batch.reportsIn.receivedOf(stores, t.orgUnits.map((u) => receivedId(t.template!, t.period!, u)));
    for (const r of received) await markDone(e, t.taskId, r.orgUnit, r.reportId);
  }

  /** The parents whose figure the batch completed are told, once (the notice stream holds at most one). */
  async function tellComplete(reportsIn: ReportsIn): Promise<void> {
    const complete = await reportsIn.write(stores, (hierarchy, parent, level) => {
      const cacheKey = `${hierarchy}|${parent}|${level}`;
      let expected = expectedCache.get(cacheKey);
      if (!expected) expectedCache.set(cacheKey, (expected = deps.hierarchy.countAtLevel(hierarchy, parent, level)));
      return expected;
    });
    for (const { cause, data } of complete) {
      // a redelivery or another replica records nothing
      if (await recordNotice(platform.store, figureCompleteStreamId(data), { type: 'tally.notification.figure-complete', data }, system(cause))) platform.nudgeRelay();
    }
    if (complete.length > 0) await stores.completeness.updateMany(complete.map(({ id }) => ({ id, update: { set: { told: true } } })));
  }

  async function markDone(cause: StoredEvent, taskId: string, orgUnit: string, reportId: string): Promise<void> {
    if (await markTaskDone(platform.store, taskId, { orgUnit, via: 'report', reportId }, system(cause))) platform.nudgeRelay();
  }

  async function handle(events: StoredEvent[]): Promise<void> {
    const writes = noFanOutWrites();
    if (events.length > 0) await webhooks.refreshFor(events.reduce((max, e) => Math.max(max, e.position), 0));
    const batch = await batchOf(events);
    for (const e of events) {
      await project(stores, e);
      const data = e.data as { hierarchy?: string; orgUnit?: string };
      const hierarchy = data.hierarchy ?? (await deps.hierarchy.versionFor(e.time.slice(0, 10)));
      const parents = new Map<string, string | null>();
      let level: string | null = null;
      let unit: OrgUnitView | undefined;
      if (data.orgUnit && REPORT_OR_INDICATOR.test(e.type)) {
        unit = await deps.hierarchy.unit(hierarchy, data.orgUnit);
        parents.set(data.orgUnit, unit?.parentCode ?? null);
        level = unit?.level ?? null;
      }
      const names = await unitNames(hierarchy, e, unit);
      const task = readEvent(TASK_EVENT_SCHEMA, e);
      if (task?.type === 'tally.task.assigned') await onTaskAssigned(e, task.data, batch);
      const report = readEvent(REPORT_EVENT_SCHEMA, e);
      if (report?.type === 'tally.report.submitted') {
        await onReportReceived(e, report.data, batch);
        batch.reportsIn.add(e, report.data, parents.get(report.data.orgUnit) ?? null, level);
      }
      const messages = messagesFor(e, { parentOf: (code) => parents.get(code) ?? null, nameOf: (code) => names.get(code) ?? null });
      await fanOut({ stores, hierarchy: deps.hierarchy, webhooks, emailEnabled: wiring.emailEnabled }, e, messages, hierarchy, writes);
    }
    // nothing in this loop reads the inboxes or the outbox: their writes wait for the end of the batch
    await writeFanOut(stores, writes);
    await tellComplete(batch.reportsIn);
    wiring.nudgeDispatcher();
  }

  /**
   * The names of the units an event's messages mention: its unit and the one that acts next (a workflow step).
   * `known`: the event's unit when the caller has looked it up already (not looked up again).
   */
  async function unitNames(hierarchy: string, e: StoredEvent, known: OrgUnitView | undefined): Promise<Map<string, string>> {
    const data = e.data as { orgUnit?: unknown; next?: { orgUnit?: unknown } | null };
    const names = new Map<string, string>();
    if (known) names.set(known.code, known.name);
    for (const code of [data.orgUnit, data.next?.orgUnit]) {
      if (typeof code !== 'string' || names.has(code)) continue;
      const found = await deps.hierarchy.unit(hierarchy, code);
      if (found) names.set(code, found.name);
    }
    return names;
  }

  /** The batch's reads made once: the tasks waiting for any report of the batch (one `getMany`). */
  async function batchOf(events: StoredEvent[]): Promise<Batch> {
    const keys = new Set<string>();
    for (const e of events) {
      const report = readEvent(REPORT_EVENT_SCHEMA, e);
      if (report?.type === 'tally.report.submitted') keys.add(receivedId(report.data.template, report.data.period, report.data.orgUnit));
    }
    const taskKeys = keys.size > 0 ? await stores.taskKeys.getMany([...keys]) : [];
    return { reportsIn: new ReportsIn(), taskKeys: new Map(taskKeys.map((d) => [d._id, d])), assigned: new Map() };
  }

  return handle;
}

/** What one consumer batch reads once and writes at its end. */
interface Batch {
  reportsIn: ReportsIn;
  /** the tasks waiting for a report (by its received id, `<template>|<period>|<orgUnit>`), as stored before the batch */
  taskKeys: Map<string, { tasks: Record<string, number> }>;
  /** tasks assigned earlier in this batch, by the same key (their taskKeys writes were made after the read) */
  assigned: Map<string, string[]>;
}
