import { TOPICS, type CatalogQuery, type EventContext, type HierarchyQuery, type RollupQuery } from '@tally/contracts';
import { MAP_SUCCESSION, type HierarchyChange, type HierarchyRegistry, type Remapping } from '@tally/core';
import type { Collection } from '@tally/readstore';
import { loadRemapping } from '@tally/reference-data';
import { ConsumerProgress, startEventConsumer, type EventConsumer, type Platform, type ServiceModule } from '@tally/runtime';
import { applyHierarchyChange, type MoveDeps } from './apply-hierarchy-change';
import { applyReportEvent, type ApplyDeps, type PathUnit } from './apply-report-event';
import { readCompleteness, type CompletenessReport, type CompletenessRequest } from './completeness';
import { hierarchyQueryOf } from './hierarchy-query';
import { LiveHierarchies } from './hierarchies';
import { readRollup, type MapRemapping } from './read-rollup';
import { CELLS, FOLDS, LEDGER, MOVES, RECEIPTS, type FoldDoc, type LedgerDoc, type ReceiptDoc, type RollupCellDoc } from './rollup-cells';
import { hierarchyRollupRoutes } from './routes';
import { replayFromLog } from './time-travel';

/** The hierarchy-rollup service: owns the administrative hierarchy and keeps every rollup exact, incrementally. */
export interface HierarchyRollupService extends ServiceModule {
  readonly hierarchyQuery: HierarchyQuery;
  readonly rollupQuery: RollupQuery;
  completeness(request: CompletenessRequest): Promise<CompletenessReport>;
  /** the maps as they stand now (the shipped versions plus the changes appended since) */
  hierarchies(): HierarchyRegistry;
  /**
   * appends a hierarchy change (rename, move, create, retire, merge, split) as an event and returns once the
   * rollups follow it (the data already rolled up moved to the new ancestors; later reports roll up on the new map)
   */
  changeHierarchy(version: string, change: HierarchyChange, ctx: EventContext): Promise<{ position: number; version: number }>;
}

export const ROLLUP_GROUP = 'hierarchy-rollup.rollups';
export const HIERARCHY_GROUP = 'hierarchy-rollup.hierarchy';

export interface HierarchyRollupDeps {
  registry: HierarchyRegistry;
  catalog: CatalogQuery;
  /** old (pre2025) -> new (2025) mapping; default: the shipped one, loaded on first use */
  remapping?: Remapping;
}

export function createHierarchyRollupService(platform: Platform, deps: HierarchyRollupDeps): HierarchyRollupService {
  const cells = platform.readStore.collection<RollupCellDoc>(CELLS);
  const ledger = platform.readStore.collection<LedgerDoc>(LEDGER);
  const folds = platform.readStore.collection<FoldDoc>(FOLDS);
  const receipts = platform.readStore.collection<ReceiptDoc>(RECEIPTS);
  const progressStore = platform.readStore.collection('rollup_progress') as Collection;
  const live = new LiveHierarchies(deps.registry, platform.store);
  const hierarchies = () => live.registry();
  const hierarchyQuery = hierarchyQueryOf(hierarchies);
  let remapping = deps.remapping;
  // the shipped succession of maps (core) with the shipped old->new mapping, loaded on first use
  const remappings: MapRemapping[] = MAP_SUCCESSION.map(({ from, to }) => ({ from, to, remapping: () => (remapping ??= loadRemapping()) }));
  const consumers: EventConsumer[] = [];
  let progress = new ConsumerProgress();

  const moves = platform.readStore.collection<{ _id: string; applied: number }>(MOVES);
  const pathOn = (h: ReturnType<typeof live.at>, orgUnit: string): PathUnit[] => (h ? h.pathOf(orgUnit).map((u) => ({ code: u.code, levelIndex: h.levelIndex(u.level) })) : []);
  // live: a new report rolls up on the map as it stands (reports already rolled up are moved by each change, so
  // every report sits on the current map); a replay as of an instant: on the map as it stood at the event
  const path = async (hierarchy: string, orgUnit: string, position: number): Promise<PathUnit[]> => {
    await live.ensureUpTo(position);
    return pathOn(live.registry().get(hierarchy), orgUnit);
  };
  const pathAt = async (hierarchy: string, orgUnit: string, position: number): Promise<PathUnit[]> => pathOn(live.at(hierarchy, position), orgUnit);
  const catalogVersion = (v: string) => deps.catalog.catalogVersion(v);
  const applyDeps: ApplyDeps = { cells, ledger, folds, receipts, catalogVersion, path };
  const moveDeps: MoveDeps = { cells, ledger, folds, catalogVersion, catalogForDate: (d) => deps.catalog.catalogFor(d) };
  const replay = replayFromLog({
    store: platform.store,
    deps: { catalogVersion, path: pathAt, catalogForDate: (d) => deps.catalog.catalogFor(d) },
    changeAt: (version, position) => live.changesAfter(version, position - 1).find((c) => c.position === position),
  });

  // the report consumers' batches share the lock; moving rolled-up data for a hierarchy change takes it alone
  const lock = new SharedExclusiveLock();
  let moving: Promise<void> = Promise.resolve();
  /** Applies, in position order, every hierarchy change whose move is not yet recorded in `rollup_moves`. */
  const followChanges = (): Promise<void> => {
    const run = async () =>
      lock.exclusive(async () => {
        for (const version of live.versions()) {
          const done = (await moves.get(version))?.applied ?? 0;
          for (const c of live.changesAfter(version, done)) {
            const summary = await applyHierarchyChange(moveDeps, { hierarchy: version, position: c.position, before: c.before, after: c.after });
            await moves.update(version, { set: { applied: c.position } }, { field: 'applied', below: c.position });
            platform.logger.info({ hierarchy: version, position: c.position, ...summary }, 'rollups moved for a hierarchy change');
          }
        }
      });
    moving = moving.then(run, run);
    return moving;
  };
  const changeHierarchy = async (version: string, change: HierarchyChange, ctx: EventContext) => {
    const r = await live.change(version, change, ctx);
    await followChanges();
    return r;
  };
  live.onChanged(() => {
    followChanges().catch((err: unknown) => platform.logger.error({ err }, 'moving rollups for a hierarchy change failed; retried on the next change or restart'));
  });
  const stores = { cells, receipts };
  const rollupQuery: RollupQuery = {
    rollup: (request) =>
      readRollup({ stores, catalog: deps.catalog, hierarchies, remappings, replay, progress, readYourWritesTimeoutMs: platform.config.readYourWritesTimeoutMs }, request),
  };
  const completeness = (request: CompletenessRequest) => readCompleteness({ stores, catalog: deps.catalog, hierarchies, replay }, request);

  return {
    name: 'hierarchy-rollup',
    readModelPrefix: 'rollup_',
    hierarchyQuery,
    rollupQuery,
    completeness,
    hierarchies,
    changeHierarchy,
    routes: hierarchyRollupRoutes({
      rollups: rollupQuery,
      completeness,
      hierarchy: hierarchyQuery,
      registry: hierarchies,
      changeHierarchy: (version, change, ctx) => changeHierarchy(version, change, ctx),
    }),
    consumers: () => consumers,
    async start() {
      await cells.ensureIndex(['cell']);
      await cells.ensureIndex(['hierarchy', 'orgUnit']);
      await receipts.ensureIndex(['hierarchy', 'template', 'period']);
      await ledger.ensureIndex(['hierarchy', 'orgUnit']);
      await live.refresh();
      // before any report is applied: the moves of changes not yet followed (a crash mid-move, a rebuild)
      await followChanges();
      const consumer = await startEventConsumer({
        bus: platform.bus,
        groupId: ROLLUP_GROUP,
        topics: [TOPICS.reports],
        logger: platform.logger,
        progressStore,
        publishedHorizon: () => platform.store.publishedPosition(),
        handle: (events, partition) =>
          lock.shared(async () => {
            // one look at the map streams per batch (not per event): changes are rare
            await live.ensureUpTo(Math.max(0, ...events.map((e) => e.position)));
            for (const e of events) await applyReportEvent(applyDeps, e, partition);
          }),
      });
      progress = consumer.progress;
      consumers.push(consumer);
      // changes appended by another replica: read them as soon as the topic says so
      consumers.push(
        await startEventConsumer({
          bus: platform.bus,
          groupId: HIERARCHY_GROUP,
          topics: [TOPICS.hierarchy],
          logger: platform.logger,
          handle: async () => {
            await live.refresh();
            await followChanges();
          },
        }),
      );
    },
    async stop() {
      await Promise.all(consumers.splice(0).map((c) => c.stop()));
    },
  };
}

/**
 * Many holders of the shared side at once (the partitions' report batches), or one holder of the exclusive side
 * (a hierarchy change's move); a waiting exclusive holder goes before shared holders that arrive after it.
 */
export class SharedExclusiveLock {
  private shared_ = 0;
  private exclusive_ = false;
  private waitingExclusive = 0;
  private readonly waiters: Array<() => void> = [];

  async shared<T>(fn: () => Promise<T>): Promise<T> {
    while (this.exclusive_ || this.waitingExclusive > 0) await this.wait();
    this.shared_++;
    try {
      return await fn();
    } finally {
      this.shared_--;
      this.wake();
    }
  }

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.waitingExclusive++;
    try {
      while (this.exclusive_ || this.shared_ > 0) await this.wait();
    } finally {
      this.waitingExclusive--;
    }
    this.exclusive_ = true;
    try {
      return await fn();
    } finally {
      this.exclusive_ = false;
      this.wake();
    }
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
