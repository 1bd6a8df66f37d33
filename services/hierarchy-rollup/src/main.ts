import { secureHttp } from '@tally/auth';
import { TOPICS } from '@tally/contracts';
import { loadHierarchies } from '@tally/reference-data';
import { remoteCatalogQuery, runService, startCacheInvalidation, type EventConsumer } from '@tally/runtime';
import { hierarchyRollupGrpc } from './grpc';
import { createHierarchyRollupService } from './service';

/** The hierarchy-rollup service alone (distributed mode): serves HierarchyService and QueryService. */
await runService('hierarchy-rollup', async (platform, config) => {
  const catalog = remoteCatalogQuery(config.peers.indicator);
  const module = createHierarchyRollupService(platform, { registry: loadHierarchies(), catalog });
  let invalidation: EventConsumer | null = null;
  return {
    module: {
      ...module,
      async start() {
        invalidation = await startCacheInvalidation(platform, 'hierarchy-rollup.catalog', TOPICS.catalog, () => catalog.invalidate());
        await module.start();
      },
      async stop() {
        await module.stop();
        await invalidation?.stop();
      },
    },
    grpc: hierarchyRollupGrpc({ hierarchy: module.hierarchyQuery, rollups: module.rollupQuery }),
    installHttp: (app) => secureHttp(app, { platform, hierarchy: module.hierarchyQuery }),
    close: () => catalog.close(),
  };
});
