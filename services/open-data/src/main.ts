import { secureHttp, serviceCredentials } from '@tally/auth';
import { TOPICS } from '@tally/contracts';
import { remoteCatalogQuery, remoteHierarchyQuery, remoteRollupQuery, runService, startCacheInvalidation, type EventConsumer } from '@tally/runtime';
import { createOpenDataService } from './service';

/** The open-data service alone (distributed mode): public datasets. */
await runService('open-data', (platform, config) => {
  const peer = serviceCredentials(platform, 'open-data');
  const catalog = remoteCatalogQuery(config.peers.indicator, peer);
  const hierarchy = remoteHierarchyQuery(config.peers.hierarchyRollup, peer);
  const rollups = remoteRollupQuery(config.peers.hierarchyRollup, peer);
  const module = createOpenDataService(platform, { catalog, hierarchy, rollups });
  let invalidation: EventConsumer | null = null;
  return {
    module: {
      ...module,
      async start() {
        invalidation = await startCacheInvalidation(platform, 'open-data.catalog', TOPICS.catalog, () => catalog.invalidate());
        await module.start();
      },
      async stop() {
        await module.stop();
        await invalidation?.stop();
      },
    },
    installHttp: (app) => secureHttp(app, { platform, hierarchy }),
    close: () => {
      catalog.close();
      hierarchy.close();
      rollups.close();
    },
  };
});
