import { platformAuth, secureGrpc, secureHttp, serviceCredentials } from '@tally/auth';
import { TOPICS } from '@tally/contracts';
import { remoteCatalogQuery, remoteHierarchyQuery, runService, startCacheInvalidation, type EventConsumer } from '@tally/runtime';
import { createProjectionService } from './service';

/** The projection service alone (distributed mode): report read models and their queries (and GET /due). */
await runService('projection', async (platform, config) => {
  const hierarchy = remoteHierarchyQuery(config.peers.hierarchyRollup, serviceCredentials(platform, 'projection'));
  const catalog = remoteCatalogQuery(config.peers.indicator, serviceCredentials(platform, 'projection'));
  const module = createProjectionService(platform, { catalog, hierarchy });
  const auth = await platformAuth(platform, hierarchy);
  let invalidation: EventConsumer | null = null;
  const close = () => {
    hierarchy.close();
    catalog.close();
  };
  return {
    module: {
      ...module,
      async start() {
        // which catalog is in force changes when one is published
        invalidation = await startCacheInvalidation(platform, 'projection.catalog', TOPICS.catalog, () => catalog.invalidate());
        await module.start();
      },
      async stop() {
        await module.stop();
        await invalidation?.stop();
      },
    },
    grpc: secureGrpc(module.grpc, auth),
    installHttp: (app) => secureHttp(app, { platform, hierarchy, auth }),
    close,
  };
});
