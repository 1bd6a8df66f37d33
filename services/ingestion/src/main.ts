import { platformAuth, secureGrpc, secureHttp, serviceCredentials } from '@tally/auth';
import { TOPICS } from '@tally/contracts';
import { remoteCatalogQuery, remoteHierarchyQuery, runService, startCacheInvalidation, type EventConsumer } from '@tally/runtime';
import { ingestionGrpc } from './grpc';
import { createIngestionService } from './service';
import { createSyncService } from '@tally/svc-sync';

/** The ingestion service alone (distributed mode): HTTP and gRPC submission, and the relay to Kafka. */
await runService('ingestion', async (platform, config) => {
  const peer = serviceCredentials(platform, 'ingestion');
  const catalog = remoteCatalogQuery(config.peers.indicator, peer);
  const hierarchy = remoteHierarchyQuery(config.peers.hierarchyRollup, peer);
  const auth = await platformAuth(platform, hierarchy);
  const module = createIngestionService(platform, { catalog, hierarchy });
  // federation runs in the ingestion process in distributed mode (it writes the log, as ingestion does)
  const sync = createSyncService(platform, { hierarchy });
  let invalidation: EventConsumer | null = null;
  return {
    module: {
      ...module,
      routes: async (app) => {
        if (module.routes) await app.register(module.routes);
        if (sync.routes) await app.register(sync.routes);
      },
      consumers: () => (invalidation ? [invalidation] : []),
      async start() {
        invalidation = await startCacheInvalidation(platform, 'ingestion.catalog', TOPICS.catalog, () => catalog.invalidate());
        await sync.start();
      },
      async stop() {
        await sync.stop();
        await invalidation?.stop();
      },
    },
    grpc: secureGrpc(ingestionGrpc({ store: platform.store, catalog, hierarchy, nudgeRelay: platform.nudgeRelay }), auth),
    // ingestion also serves sign-in and accounts
    installHttp: (app) => secureHttp(app, { platform, hierarchy, auth, withAuthRoutes: true }),
    close: () => {
      catalog.close();
      hierarchy.close();
    },
  };
});
