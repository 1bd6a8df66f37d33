import { randomUUID } from 'node:crypto';
import { TallyError, type EventContext, type RollupQuery } from '@tally/contracts';
import { coarserPeriods, dueCalendarEntries, type ReleaseTrigger, type ReportWorkflowData } from '@tally/core';
import type { Collection, Doc } from '@tally/readstore';
import type { Platform } from '@tally/runtime';
import { loadDataset, type DatasetCollections } from './datasets';
import type { OpenData } from './open-data';

/** A dataset that is due for a release because data it holds was approved or locked. */
export interface DueDoc extends Doc {
  dataset: string;
  trigger: ReleaseTrigger;
  period: string;
  position: number;
  causationId: string;
  releasedUpTo?: number;
}

export interface ReleaseScheduler {
  /** cuts the releases that are due, one pass at a time (a call during a pass joins it); how many were cut */
  releaseDue(): Promise<number>;
  /** records that a dataset holding this approved or locked report is due for a release */
  markDue(e: { id: string; position: number; type: string; data: ReportWorkflowData }, trigger: ReleaseTrigger): Promise<void>;
  /** the pass in flight, if any (awaited at stop) */
  inFlight(): Promise<number> | null;
}

/** Releases on approval, on lock and by calendar: what is due is a read model, the cut an open-data command. */
export function createReleaseScheduler(deps: {
  platform: Platform;
  rollups: RollupQuery;
  openData: OpenData;
  collections: DatasetCollections;
  due: Collection<DueDoc>;
}): ReleaseScheduler {
  const { platform, openData, due } = deps;
  const c = deps.collections;
  let releasing: Promise<number> | null = null;

  const systemContext = (causationId?: string): EventContext => ({
    actor: { id: 'system:open-data' },
    correlationId: randomUUID(),
    ...(causationId ? { causationId } : {}),
  });

  /** Cuts the releases that are due (approvals, locks, calendar entries); returns how many were cut. */
  async function releaseDue(): Promise<number> {
    let cut = 0;
    for (const d of await due.find({})) {
      if ((d.releasedUpTo ?? 0) >= d.position) continue;
      const state = await loadDataset(platform.store, d.dataset);
      const latest = state.releases[state.releases.length - 1];
      // a replayed approval that an earlier release already reflects
      if (!state.definition || (latest && latest.cutoffPosition >= d.position)) {
        await due.update(d._id, { set: { releasedUpTo: d.position } }, { field: 'releasedUpTo', below: d.position });
        continue;
      }
      try {
        await deps.rollups.rollup({ orgUnit: 'VN', period: d.period, after: d.position });
      } catch (err) {
        if (err instanceof TallyError && err.code === 'NOT_CAUGHT_UP') continue; // next tick
        throw err;
      }
      const r = await openData.release(d.dataset, { trigger: d.trigger, embargoUntil: null, scheduledFor: null, reflects: d.position }, systemContext(d.causationId));
      if (r.header) cut++;
      await due.update(d._id, { set: { releasedUpTo: d.position } }, { field: 'releasedUpTo', below: d.position });
    }
    const now = new Date().toISOString();
    for (const doc of await c.definitions.find({})) {
      if (doc.definition.release.calendar.length === 0) continue;
      const state = await loadDataset(platform.store, doc._id);
      for (const entry of dueCalendarEntries(state, now)) {
        const r = await openData.release(doc._id, { trigger: 'calendar', embargoUntil: entry.embargoUntil ?? null, scheduledFor: entry.at }, systemContext());
        if (r.header) cut++;
      }
    }
    return cut;
  }

  const releaseDueOnce = (): Promise<number> => {
    releasing ??= releaseDue().finally(() => {
      releasing = null;
    });
    return releasing;
  };

  async function markDue(e: { id: string; position: number; type: string; data: ReportWorkflowData }, trigger: ReleaseTrigger): Promise<void> {
    for (const doc of await c.definitions.find({})) {
      const def = doc.definition;
      if (def.release.on !== trigger) continue;
      if (def.templates.length > 0 && !def.templates.includes(e.data.template)) continue;
      if (def.periods.length > 0 && ![e.data.period, ...coarserPeriods(e.data.period)].some((p) => def.periods.includes(p))) continue;
      await due.update(
        `${def.id}`,
        { set: { dataset: def.id, trigger, period: e.data.period, position: e.position, causationId: e.id } },
        { field: 'position', below: e.position },
      );
    }
  }

  return { releaseDue: releaseDueOnce, markDue, inFlight: () => releasing };
}
