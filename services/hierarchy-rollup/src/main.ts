import { installUpstreamGuard } from '@tally/svc-sync';
import { platformAuth, secureGrpc, secureHttp, serviceCredentials } from '@tally/auth';
import { TOPICS } from '@tally/contracts';
import { loadHierarchies } from '@tally/reference-data';
import { remoteCatalogQuery, runService, startCacheInvalidation, type EventConsumer } from '@tally/runtime';
import { hierarchyRollupGrpc } from './grpc';
import { createHierarchyRollupService } from './service';

/** The hierarchy-rollup service alone (distributed mode): serves HierarchyService and QueryService. */
await runService('hierarchy-rollup', async (platform, config) => {
  const catalog = remoteCatalogQuery(config.peers.indicator, serviceCredentials(platform, 'hierarchy-rollup'));
  const module = createHierarchyRollupService(platform, { registry: loadHierarchies(), catalog });
  const auth = await platformAuth(platform, module.hierarchyQuery);
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
    grpc: secureGrpc(hierarchyRollupGrpc({ hierarchy: module.hierarchyQuery, rollups: module.rollupQuery }), auth),
    installHttp: async (app) => {
      installUpstreamGuard(app, config.upstreamUrl ?? null); // a linked deployment's catalog, map and targets are upstream's
      return secureHttp(app, { platform, hierarchy: module.hierarchyQuery, auth });
    },
    close: () => catalog.close(),
  };
});
