import { TOPICS, type CatalogQuery, type HierarchyQuery, type RollupQuery } from '@tally/contracts';
import type { HierarchyRegistry } from '@tally/core';
import { ConsumerProgress, startEventConsumer, type EventConsumer, type Platform, type ServiceModule } from '@tally/runtime';
import { applyReportEvent } from './apply-report-event';
import { hierarchyQueryOf } from './hierarchy-query';
import { readRollup } from './read-rollup';
import { CELLS, LEDGER, type LedgerDoc, type RollupCellDoc } from './rollup-cells';
import { hierarchyRollupRoutes } from './routes';

/** The hierarchy-rollup service: owns the administrative hierarchy and keeps every rollup exact, incrementally. */
export interface HierarchyRollupService extends ServiceModule {
  readonly hierarchyQuery: HierarchyQuery;
  readonly rollupQuery: RollupQuery;
}

export const ROLLUP_GROUP = 'hierarchy-rollup.rollups';

export function createHierarchyRollupService(platform: Platform, deps: { registry: HierarchyRegistry; catalog: CatalogQuery }): HierarchyRollupService {
  const cells = platform.readStore.collection<RollupCellDoc>(CELLS);
  const ledger = platform.readStore.collection<LedgerDoc>(LEDGER);
  const progressStore = platform.readStore.collection('rollup_progress');
  const hierarchyQuery = hierarchyQueryOf(deps.registry);
  const consumers: EventConsumer[] = [];
  let progress = new ConsumerProgress();
  const rollupQuery: RollupQuery = {
    rollup: (request) =>
      readRollup({ cells, catalog: deps.catalog, hierarchy: hierarchyQuery, progress, readYourWritesTimeoutMs: platform.config.readYourWritesTimeoutMs }, request),
  };

  return {
    name: 'hierarchy-rollup',
    readModelPrefix: 'rollup_',
    hierarchyQuery,
    rollupQuery,
    routes: hierarchyRollupRoutes({ rollups: rollupQuery, hierarchy: hierarchyQuery, registry: deps.registry }),
    consumers: () => consumers,
    async start() {
      await cells.ensureIndex(['cell']);
      const consumer = await startEventConsumer({
        bus: platform.bus,
        groupId: ROLLUP_GROUP,
        topics: [TOPICS.reports],
        logger: platform.logger,
        progressStore,
        publishedHorizon: () => platform.store.publishedPosition(),
        handle: async (events, partition) => {
          for (const e of events) {
            await applyReportEvent({ cells, ledger, catalogVersion: (v) => deps.catalog.catalogVersion(v), path: hierarchyQuery.path }, e, partition);
          }
        },
      });
      progress = consumer.progress;
      consumers.push(consumer);
    },
    async stop() {
      await Promise.all(consumers.splice(0).map((c) => c.stop()));
    },
  };
}
