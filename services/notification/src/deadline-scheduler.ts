import type { CatalogQuery, EventContext, HierarchyQuery } from '@tally/contracts';
import {
  deadlineNoticeKey,
  deadlineStreamId,
  dueDeadlineNotices,
  parsePeriod,
  periodsDueAround,
  vietnamDateOf,
  type DeadlineDueData,
  type DeadlineUnit,
} from '@tally/core';
import type { EventStore } from '@tally/eventstore';
import type { Logger } from '@tally/runtime';
import type { NotificationSettings } from './settings';
import { recordNotice } from './commands';
import type { Stores } from './stores';

/**
 * Looks at the calendar (an injectable clock: tests run a reporting period in milliseconds; no API sets it) and
 * records each deadline notice that is due as an event on a stream of its own,
 * `notification-deadline-<rule>-<template>-<unit>-<period>-<offset>`, through the command handler with the notice
 * decider (@tally/core): recorded only if that stream holds nothing, appended with the version that was read, so
 * the event store's expected-version check makes each notice happen at most once, across restarts, replays,
 * several replicas, and in both modes. The consumer then turns the event into inbox messages and
 * deliveries like any other event.
 */
export interface DeadlineSchedulerDeps {
  store: EventStore;
  catalog: CatalogQuery;
  hierarchy: HierarchyQuery;
  stores: Stores;
  settings: NotificationSettings;
  clock: () => Date;
  logger: Logger;
  nudgeRelay: () => void;
}

export interface DeadlineScheduler {
  /** the notices due at `now`, recorded; returns how many were new. `within`/`templates` narrow it (the demo). */
  runAt(now: Date, options?: { within?: string; templates?: string[] }): Promise<number>;
  stop(): void;
}

export function startDeadlineScheduler(deps: DeadlineSchedulerDeps, options: { timer: boolean }): DeadlineScheduler {
  const units = new Map<string, Promise<DeadlineUnit[]>>();
  const fired = new Set<string>();

  async function unitsOf(version: string): Promise<DeadlineUnit[]> {
    let p = units.get(version);
    if (!p) {
      p = (async () => {
        const out: DeadlineUnit[] = [];
        const root = await deps.hierarchy.unit(version, 'VN');
        if (!root) return out;
        let frontier = [root];
        out.push({ code: root.code, parentCode: null, level: root.level });
        while (frontier.length > 0) {
          const next = (await Promise.all(frontier.map((u) => deps.hierarchy.children(version, u.code)))).flat();
          for (const c of next) out.push({ code: c.code, parentCode: c.parentCode, level: c.level });
          frontier = next;
        }
        return out;
      })();
      p.catch(() => units.delete(version));
      units.set(version, p);
    }
    return p;
  }

  async function runAt(now: Date, narrow: { within?: string; templates?: string[] } = {}): Promise<number> {
    const today = vietnamDateOf(now);
    const policy = deps.settings.deadlines;
    const current = await deps.catalog.catalogFor(today);
    if (!current) return 0;
    const versions = await deps.hierarchy.versions();
    let created = 0;
    for (const t of current.templates) {
      if (narrow.templates && !narrow.templates.includes(t.code)) continue;
      const maxTier = Math.max(...versions.map((v) => v.levels.indexOf(t.reportingLevel)));
      for (const period of periodsDueAround(t, today, Math.max(0, maxTier), policy)) {
        const end = parsePeriod(period)!.endDate;
        const template = (await deps.catalog.catalogFor(end))?.templates.find((x) => x.code === t.code);
        if (!template || template.periodType !== t.periodType) continue;
        const hierarchy = await deps.hierarchy.versionFor(end);
        const levels = versions.find((v) => v.id === hierarchy)?.levels ?? [];
        const received = new Set((await deps.stores.received.find({ template: template.code, period })).map((r) => r.orgUnit));
        const notices = dueDeadlineNotices({ today, template, period, levels, units: await unitsOf(hierarchy), received, policy, ...(narrow.within ? { within: narrow.within } : {}) });
        for (const notice of notices) {
          const key = deadlineNoticeKey(notice);
          if (fired.has(key)) continue;
          const data: DeadlineDueData = { ...notice, day: today, hierarchy };
          const ctx: EventContext = { actor: { id: 'system:notification' }, correlationId: `deadline-${key}`, time: now.toISOString(), reason: `${notice.rule} ${today}` };
          const stream = deadlineStreamId(key);
          if (await recordNotice(deps.store, stream, { type: 'tally.notification.deadline-due', data }, ctx)) created++;
          fired.add(key);
        }
      }
    }
    if (created > 0) deps.nudgeRelay();
    return created;
  }

  const timer = options.timer
    ? setInterval(() => void runAt(deps.clock()).catch((err: unknown) => deps.logger.error({ err }, 'deadline check failed')), deps.settings.scheduleEveryMs)
    : null;
  timer?.unref();
  if (options.timer) void runAt(deps.clock()).catch((err: unknown) => deps.logger.error({ err }, 'deadline check failed'));
  return {
    runAt,
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
