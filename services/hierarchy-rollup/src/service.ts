import { TOPICS, type CatalogQuery, type EventContext, type HierarchyQuery, type RollupQuery } from '@tally/contracts';
import type { HierarchyChange, HierarchyRegistry, Remapping } from '@tally/core';
import type { Collection } from '@tally/readstore';
import { loadRemapping } from '@tally/reference-data';
import { ConsumerProgress, startEventConsumer, type EventConsumer, type Platform, type ServiceModule } from '@tally/runtime';
import { applyReportEvent, type ApplyDeps, type PathUnit } from './apply-report-event';
import { readCompleteness, type CompletenessReport, type CompletenessRequest } from './completeness';
import { hierarchyQueryOf } from './hierarchy-query';
import { LiveHierarchies } from './hierarchies';
import { readRollup, type MapRemapping } from './read-rollup';
import { CELLS, FOLDS, LEDGER, RECEIPTS, type FoldDoc, type LedgerDoc, type ReceiptDoc, type RollupCellDoc } from './rollup-cells';
import { hierarchyRollupRoutes } from './routes';
import { replayFromLog } from './time-travel';

/** The hierarchy-rollup service: owns the administrative hierarchy and keeps every rollup exact, incrementally. */
export interface HierarchyRollupService extends ServiceModule {
  readonly hierarchyQuery: HierarchyQuery;
  readonly rollupQuery: RollupQuery;
  completeness(request: CompletenessRequest): Promise<CompletenessReport>;
  /** the maps as they stand now (the shipped versions plus the changes appended since) */
  hierarchies(): HierarchyRegistry;
  /** appends a hierarchy change (rename, move, create, retire, merge, split) as an event; reports applied after it roll up on the changed map */
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
  const remappings: MapRemapping[] = [{ from: 'pre2025', to: '2025', remapping: () => (remapping ??= loadRemapping()) }];
  const consumers: EventConsumer[] = [];
  let progress = new ConsumerProgress();

  const path = async (hierarchy: string, orgUnit: string, position: number): Promise<PathUnit[]> => {
    await live.ensureUpTo(position);
    const h = live.at(hierarchy, position);
    return h ? h.pathOf(orgUnit).map((u) => ({ code: u.code, levelIndex: h.levelIndex(u.level) })) : [];
  };
  const applyDeps: ApplyDeps = { cells, ledger, folds, receipts, catalogVersion: (v) => deps.catalog.catalogVersion(v), path };
  const replay = replayFromLog({ store: platform.store, deps: applyDeps });
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
    changeHierarchy: (version, change, ctx) => live.change(version, change, ctx),
    routes: hierarchyRollupRoutes({ rollups: rollupQuery, completeness, hierarchy: hierarchyQuery, registry: hierarchies }),
    consumers: () => consumers,
    async start() {
      await cells.ensureIndex(['cell']);
      await receipts.ensureIndex(['hierarchy', 'template', 'period']);
      await live.refresh();
      const consumer = await startEventConsumer({
        bus: platform.bus,
        groupId: ROLLUP_GROUP,
        topics: [TOPICS.reports],
        logger: platform.logger,
        progressStore,
        publishedHorizon: () => platform.store.publishedPosition(),
        handle: async (events, partition) => {
          // one look at the map streams per batch (not per event): changes are rare
          await live.ensureUpTo(Math.max(0, ...events.map((e) => e.position)));
          for (const e of events) await applyReportEvent(applyDeps, e, partition);
        },
      });
      progress = consumer.progress;
      consumers.push(consumer);
      // changes appended by another replica: read them as soon as the topic says so
      consumers.push(
        await startEventConsumer({ bus: platform.bus, groupId: HIERARCHY_GROUP, topics: [TOPICS.hierarchy], logger: platform.logger, handle: () => live.refresh() }),
      );
    },
    async stop() {
      await Promise.all(consumers.splice(0).map((c) => c.stop()));
    },
  };
}
