import { randomUUID } from 'node:crypto';
import { TOPICS, TallyError, type CatalogQuery, type EventContext, type HierarchyQuery, type RollupQuery } from '@tally/contracts';
import { coarserPeriods, dueCalendarEntries, isPublic, readEvent, REPORT_EVENT_SCHEMA, type ReleaseCell, type ReleaseTrigger, type ReportWorkflowData } from '@tally/core';
import type { Doc } from '@tally/readstore';
import { startEventConsumer, type EventConsumer, type Platform, type ServiceModule } from '@tally/runtime';
import { assembleTable } from './assemble';
import { cutRelease, datasetCollections, defineDataset, loadDataset, PREFIX, project, releaseCells } from './datasets';
import { defaultDefinitions } from './defaults';
import { openDataRoutes } from './routes';
import type { OpenData } from './open-data';
import { loadOpenDataSettings, type OpenDataSettings } from './settings';

/**
 * The open-data service: datasets an administrator defines (or the per-template defaults), their immutable
 * releases, and the public API that serves them in CSV, JSON, SDMX, Data Package and DCAT, no sign-in.
 */
interface ProgressDoc extends Doc {
  template: string;
  /** period -> true */
  periods: Record<string, boolean>;
  applied: number;
  updatedAt: string;
}

/** A dataset that is due for a release because data it holds was approved or locked. */
interface DueDoc extends Doc {
  dataset: string;
  trigger: ReleaseTrigger;
  period: string;
  position: number;
  causationId: string;
  releasedUpTo?: number;
}

export function createOpenDataService(
  platform: Platform,
  deps: { catalog: CatalogQuery; hierarchy: HierarchyQuery; rollups: RollupQuery },
  settings: OpenDataSettings = loadOpenDataSettings(),
): ServiceModule & { openData: OpenData; releaseDue(): Promise<number> } {
  const progress = platform.readStore.collection<ProgressDoc>(`${PREFIX}datasets`);
  const due = platform.readStore.collection<DueDoc>(`${PREFIX}due`);
  const c = datasetCollections(platform.readStore);
  const consumers: EventConsumer[] = [];
  let timer: NodeJS.Timeout | null = null;
  let releasing: Promise<number> | null = null;
  /** live tables by (definition, asOf, data version); cleared when the hierarchy or the catalog changes */
  const liveCache = new Map<string, { cells: ReleaseCell[]; updatedAt: string | null; version: number }>();

  async function progressOf(templates: string[]): Promise<{ version: number; periods: string[]; updatedAt: string | null }> {
    const shares = (await progress.find({})).filter((s) => templates.length === 0 || templates.includes(s.template));
    const periods = new Set<string>();
    let updatedAt: string | null = null;
    for (const s of shares) {
      Object.keys(s.periods ?? {}).forEach((p) => periods.add(p));
      if (!updatedAt || s.updatedAt > updatedAt) updatedAt = s.updatedAt;
    }
    // the newest report position the dataset reflects: it only grows as data arrives
    const version = shares.reduce((m, s) => Math.max(m, s.applied ?? 0), 0);
    return { version, periods: [...periods].sort(), updatedAt };
  }

  const openData: OpenData = {
    settings,
    catalog: () => deps.catalog.catalogFor(),
    async datasets() {
      const defined = await c.definitions.find({});
      const ids = new Set(defined.map((d) => d.definition.id));
      const defaults = defaultDefinitions(await deps.catalog.catalogFor()).filter((d) => !ids.has(d.id));
      return [
        ...defaults.map((def) => ({ def, version: null, definedAt: null })),
        ...defined.sort((a, b) => (a._id < b._id ? -1 : 1)).map((d) => ({ def: d.definition, version: d.version, definedAt: d.definedAt })),
      ];
    },
    async dataset(id) {
      const doc = await c.definitions.get(id);
      if (doc) return { def: doc.definition, version: doc.version, definedAt: doc.definedAt };
      const def = defaultDefinitions(await deps.catalog.catalogFor()).find((d) => d.id === id);
      if (!def) throw new TallyError('NOT_FOUND', `no dataset ${id}`);
      return { def, version: null, definedAt: null };
    },
    async releases(id, opts = {}) {
      const now = new Date().toISOString();
      const docs = await c.releases.find({ dataset: id });
      return docs
        .map((d) => d.header)
        .filter((h) => opts.all || isPublic(h, now))
        .sort((a, b) => a.release - b.release);
    },
    releaseCells: (header) => releaseCells(c.parts, header),
    async live(def, asOf) {
      const p = await progressOf(def.templates);
      const periods = def.periods.length > 0 ? def.periods : p.periods;
      const key = JSON.stringify([def, asOf ?? null, p.version]);
      const hit = liveCache.get(key);
      if (hit) return hit;
      const table = await assembleTable(def, deps, periods, asOf);
      const out = { cells: table.cells, updatedAt: p.updatedAt, version: p.version };
      if (liveCache.size >= 32) liveCache.delete(liveCache.keys().next().value!);
      liveCache.set(key, out);
      return out;
    },
    define: (def, mode, ctx) => defineDataset(platform.store, def, mode, ctx),
    async release(id, input, ctx) {
      const state = await loadDataset(platform.store, id);
      if (!state.definition) throw new TallyError('NOT_FOUND', `no defined dataset ${id}; only defined datasets have releases (POST /open-data/datasets)`);
      const def = state.definition;
      const p = await progressOf(def.templates);
      const table = await assembleTable(def, deps, def.periods.length > 0 ? def.periods : p.periods);
      const { reflects, ...rest } = input;
      // a release cut for an approval reflects that approval too (the rollups only know data events' positions)
      const cutoffPosition = Math.max(table.position, reflects ?? 0);
      const result = await cutRelease(platform.store, id, { cells: table.cells, cutoffPosition, partSize: settings.partSize, at: new Date().toISOString(), ...rest }, ctx);
      if (result.header) platform.nudgeRelay();
      return result;
    },
  };

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

  return {
    name: 'open-data',
    readModelPrefix: PREFIX,
    routes: openDataRoutes(openData),
    openData,
    releaseDue: releaseDueOnce,
    consumers: () => consumers,
    async start() {
      await progress.ensureIndex(['template']);
      await c.releases.ensureIndex(['dataset']);
      consumers.push(
        await startEventConsumer({
          bus: platform.bus,
          groupId: 'open-data.datasets',
          topics: [TOPICS.reports],
          logger: platform.logger,
          handle: async (events, partition) => {
            for (const e of events) {
              // report events read through the report stream's schema (typed, upcast), never cast
              const report = readEvent(REPORT_EVENT_SCHEMA, e);
              if (report?.type === 'tally.report.submitted' || report?.type === 'tally.report.amended') {
                const d = report.data;
                await progress.update(
                  `${d.template}|p${partition}`,
                  { set: { template: d.template, [`periods.${d.period}`]: true, applied: e.position, updatedAt: e.time } },
                  { field: 'applied', below: e.position },
                );
              } else if (report?.type === 'tally.report.approved' && report.data.final) {
                await markDue({ ...e, data: report.data }, 'approved');
              } else if (report?.type === 'tally.report.locked') {
                await markDue({ ...e, data: report.data }, 'locked');
              }
            }
          },
        }),
        // a renamed unit or a new catalog changes names in live tables: forget them
        await startEventConsumer({
          bus: platform.bus,
          groupId: 'open-data.reference',
          topics: [TOPICS.hierarchy, TOPICS.catalog],
          logger: platform.logger,
          handle: async () => {
            liveCache.clear();
          },
        }),
        await startEventConsumer({
          bus: platform.bus,
          groupId: 'open-data.releases',
          topics: [TOPICS.openData],
          logger: platform.logger,
          handle: async (events) => {
            for (const e of events) await project(c, e);
          },
        }),
      );
      timer = setInterval(() => {
        releaseDueOnce().catch((err: unknown) => platform.logger.error({ err }, 'open-data releases failed; retrying'));
      }, settings.releaseIntervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await releasing?.catch(() => undefined);
      await Promise.all(consumers.splice(0).map((x) => x.stop()));
    },
  };
}
