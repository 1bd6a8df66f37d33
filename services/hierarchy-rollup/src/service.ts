import { randomUUID } from 'node:crypto';
import { TOPICS, type CatalogQuery, type EventContext, type HierarchyQuery, type RollupQuery } from '@tally/contracts';
import { MAP_SUCCESSION, type HierarchyChange, type HierarchyRegistry, type Remapping } from '@tally/core';
import type { Collection, ReadStore } from '@tally/readstore';
import { loadRemapping } from '@tally/reference-data';
import { ConsumerProgress, progressDocId, startEventConsumer, type EventConsumer, type Platform, type ServiceModule } from '@tally/runtime';
import { applyHierarchyChange, type MoveDeps } from './apply-hierarchy-change';
import type { ApplyDeps, PathUnit } from './apply-report-event';
import { readCompleteness, type CompletenessReport, type CompletenessRequest } from './completeness';
import { hierarchyQueryOf } from './hierarchy-query';
import { LiveHierarchies } from './hierarchies';
import { readRollup, type MapRemapping } from './read-rollup';
import { CELLS, FOLDS, LEDGER, MOVES, RECEIPTS, type FoldDoc, type LedgerDoc, type ReceiptDoc } from './rollup-cells';
import { cellSharesOf } from './cell-shares';
import { hierarchyRollupRoutes } from './routes';
import { DEFAULT_FENCE_POLL_MS, DEFAULT_REPLICA_TTL_MS, REPLICA_FENCE_COLLECTION, ReplicaFence, type ReplicaDoc } from './replica-fence';
import { applyMarkedBatch, shareMarksIn } from './share-marks';
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
/**
 * Under load a partition's report events are applied at most every this many ms (embedded bus), so that a batch
 * holds several reports and the national and provincial shares are written once for all of them; an idle
 * partition is applied at once. Bounds the freshness it costs.
 */
export const ROLLUP_LINGER_MS = 250;
export const HIERARCHY_GROUP = 'hierarchy-rollup.hierarchy';

export interface HierarchyRollupDeps {
  registry: HierarchyRegistry;
  catalog: CatalogQuery;
  /** old (pre2025) -> new (2025) mapping; default: the shipped one, loaded on first use */
  remapping?: Remapping;
  /** the cross-replica fence of hierarchy moves (replica-fence.ts); defaults: ttl 10 s distributed, 2 s embedded */
  replicaFence?: { replicaId?: string; ttlMs?: number; pollMs?: number };
}

/**
 * A dead replica holds a move up at most about this long (a graceful stop deletes its registration at once). It
 * was 2 s on one machine, but under a reporting-day load the renewal (every ttl/3) came late, the registration's
 * licence lapsed and report batches stalled until the next renewal: freshness p99 2.2-2.5 s against 0.42 s with
 * 10 s (pnpm bench --communes 1000 --values 100, docs/performance.md).
 */
const EMBEDDED_REPLICA_TTL_MS = DEFAULT_REPLICA_TTL_MS;
/** at 200 ms, two replicas' looks were an estimated third of FerretDB's commands in a slow 100-commune bench */
const DISTRIBUTED_FENCE_POLL_MS = 1_000;

export function createHierarchyRollupService(platform: Platform, deps: HierarchyRollupDeps): HierarchyRollupService {
  const { cells, ledger, folds, receipts, moves, progressStore } = rollupCollections(platform.readStore);
  const live = new LiveHierarchies(deps.registry, platform.store);
  const hierarchies = () => live.registry();
  const hierarchyQuery = hierarchyQueryOf(hierarchies);
  let remapping = deps.remapping;
  // the shipped succession of maps (core) with the shipped old->new mapping, loaded on first use
  const remappings: MapRemapping[] = MAP_SUCCESSION.map(({ from, to }) => ({ from, to, remapping: () => (remapping ??= loadRemapping()) }));
  const consumers: EventConsumer[] = [];
  let progress = new ConsumerProgress();

  const { path, pathAt } = unitPaths(live);
  const catalogVersion = (v: string) => deps.catalog.catalogVersion(v);
  const applyDeps: ApplyDeps = { cells, ledger, folds, receipts, catalogVersion, path };
  const moveDeps: MoveDeps = { cells, ledger, folds, catalogVersion, catalogForDate: (d) => deps.catalog.catalogFor(d) };
  const replay = replayFromLog({
    store: platform.store,
    deps: { catalogVersion, path: pathAt, catalogForDate: (d) => deps.catalog.catalogFor(d) },
    changeAt: (version, position) => live.changesAfter(version, position - 1).find((c) => c.position === position),
  });

  // the report consumers' batches share the lock; moving rolled-up data for a hierarchy change takes it alone, in
  // this replica and, through the fence in the read store, in every other live replica
  const fence = replicaFenceOf(platform, deps.replicaFence);
  const lock = fence.lock;
  // after another replica's move (or a lapse of this one's registration) the map may have changed here unseen
  let closingsSeen = 0;
  const refreshAfterFence = async () => {
    const closings = fence.gateClosings();
    if (closings === closingsSeen) return;
    await live.refresh();
    closingsSeen = closings;
  };
  const followChanges = changeFollower({ live, moves, moveDeps, fence, logger: platform.logger });
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
      await fence.start();
      // before any report is applied: the moves of changes not yet followed (a crash mid-move, a rebuild)
      await followChanges();
      const started = await startRollupConsumers({ platform, live, applyDeps, progressStore, lock, refreshAfterFence, followChanges });
      progress = started.progress;
      consumers.push(...started.consumers);
    },
    async stop() {
      await Promise.all(consumers.splice(0).map((c) => c.stop()));
      await fence.stop();
    },
  };
}

/** This replica's place in the cross-replica fence of hierarchy moves (replica-fence.ts). */
function replicaFenceOf(platform: Platform, options: HierarchyRollupDeps['replicaFence']): ReplicaFence {
  const distributed = platform.config.mode === 'distributed';
  return new ReplicaFence({
    replicas: platform.readStore.collection<ReplicaDoc>(REPLICA_FENCE_COLLECTION),
    replicaId: options?.replicaId ?? `${platform.config.instanceId}-${randomUUID().slice(0, 8)}`,
    ttlMs: options?.ttlMs ?? (distributed ? DEFAULT_REPLICA_TTL_MS : EMBEDDED_REPLICA_TTL_MS),
    // on MongoDB/FerretDB every look is a command: once a second (a move waits about that long for acknowledgements)
    pollMs: options?.pollMs ?? (distributed ? DISTRIBUTED_FENCE_POLL_MS : DEFAULT_FENCE_POLL_MS),
    onError: (err) => platform.logger.warn({ err }, 'replica fence: reading or renewing the registrations failed; report batches wait until it works again'),
  });
}

/**
 * The two consumers: report events rolled up (the whole batch at once, each touched cell share written once; one
 * event at a time if the batch fails), under the fence's shared side; and hierarchy changes appended by another
 * replica, read as soon as the topic says so.
 */
async function startRollupConsumers(d: {
  platform: Platform;
  live: LiveHierarchies;
  applyDeps: ApplyDeps;
  progressStore: Collection;
  lock: ReplicaFence['lock'];
  refreshAfterFence: () => Promise<void>;
  followChanges: () => Promise<void>;
}): Promise<{ consumers: EventConsumer[]; progress: ConsumerProgress }> {
  const { platform, live, applyDeps, lock } = d;
  // the partitions' share marks sit in the consumer's progress documents (share-marks.ts)
  const marks = shareMarksIn(d.progressStore, (partition) => progressDocId(ROLLUP_GROUP, TOPICS.reports, partition), applyDeps.cells);
  const prepare = async (events: readonly { position: number }[]) => {
    await d.refreshAfterFence();
    // one look at the map streams per batch (not per event): changes are rare
    await live.ensureUpTo(Math.max(0, ...events.map((e) => e.position)));
  };
  const reports = await startEventConsumer({
    bus: platform.bus,
    groupId: ROLLUP_GROUP,
    topics: [TOPICS.reports],
    lingerMs: ROLLUP_LINGER_MS,
    logger: platform.logger,
    progressStore: d.progressStore,
    publishedHorizon: () => platform.store.publishedPosition(),
    handleBatch: (events, partition) =>
      lock.shared(async () => {
        await prepare(events);
        await applyMarkedBatch(applyDeps, marks, events, partition);
      }),
    handle: (events, partition) =>
      lock.shared(async () => {
        await prepare(events);
        for (const e of events) await applyMarkedBatch(applyDeps, marks, [e], partition);
      }),
  });
  const changes = await startEventConsumer({
    bus: platform.bus,
    groupId: HIERARCHY_GROUP,
    topics: [TOPICS.hierarchy],
    logger: platform.logger,
    handle: async () => {
      await live.refresh();
      await d.followChanges();
    },
  });
  return { consumers: [reports, changes], progress: reports.progress };
}

/** The service's read-model collections (all prefixed `rollup_`, dropped together by a rebuild). */
function rollupCollections(readStore: ReadStore) {
  return {
    cells: cellSharesOf(readStore.counters(CELLS)),
    ledger: readStore.collection<LedgerDoc>(LEDGER),
    folds: readStore.collection<FoldDoc>(FOLDS),
    receipts: readStore.collection<ReceiptDoc>(RECEIPTS),
    moves: readStore.collection<MoveDoc>(MOVES),
    progressStore: readStore.collection('rollup_progress') as Collection,
  };
}

type MoveDoc = { _id: string; applied: number };

/**
 * Follows hierarchy changes: applies, in position order and one run at a time, every change whose move is not yet
 * recorded in `rollup_moves`, holding the fence alone (no report batch runs meanwhile in any replica, and no other
 * replica moves).
 */
function changeFollower(deps: { live: LiveHierarchies; moves: Collection<MoveDoc>; moveDeps: MoveDeps; fence: ReplicaFence; logger: Platform['logger'] }): () => Promise<void> {
  let moving: Promise<void> = Promise.resolve();
  const unfollowed = async (version: string) => deps.live.changesAfter(version, (await deps.moves.get(version))?.applied ?? 0);
  const follow = () =>
    deps.fence.exclusive(async () => {
      for (const version of deps.live.versions()) {
        for (const c of await unfollowed(version)) {
          const summary = await applyHierarchyChange(deps.moveDeps, { hierarchy: version, position: c.position, before: c.before, after: c.after });
          await deps.moves.update(version, { set: { applied: c.position } }, { field: 'applied', below: c.position });
          deps.logger.info({ hierarchy: version, position: c.position, ...summary }, 'rollups moved for a hierarchy change');
        }
      }
    });
  // the fence only when there is something to move (taking it waits for every live replica's acknowledgement)
  const followAll = async () => {
    for (const version of deps.live.versions()) if ((await unfollowed(version)).length > 0) return follow();
  };
  return () => {
    moving = moving.then(followAll, followAll);
    return moving;
  };
}

/**
 * A report's unit path (unit and ancestors with their level index). Live, a new report rolls up on the map as it
 * stands (reports already rolled up are moved by each change, so every report sits on the current map); a replay
 * as of an instant: on the map as it stood at the event.
 */
function unitPaths(live: LiveHierarchies) {
  const pathOn = (h: ReturnType<typeof live.at>, orgUnit: string): PathUnit[] => (h ? h.pathOf(orgUnit).map((u) => ({ code: u.code, levelIndex: h.levelIndex(u.level) })) : []);
  return {
    path: async (hierarchy: string, orgUnit: string, position: number): Promise<PathUnit[]> => {
      await live.ensureUpTo(position);
      return pathOn(live.registry().get(hierarchy), orgUnit);
    },
    pathAt: async (hierarchy: string, orgUnit: string, position: number): Promise<PathUnit[]> => pathOn(live.at(hierarchy, position), orgUnit),
  };
}
