import { secureHttp, serviceCredentials } from '@tally/auth';
import { TOPICS } from '@tally/contracts';
import { remoteCatalogQuery, remoteHierarchyQuery, runService, startCacheInvalidation, type EventConsumer } from '@tally/runtime';
import { createNotificationService } from './service';

/** The notification service alone (distributed mode): inboxes, tasks, deadlines, e-mail and webhooks. */
await runService('notification', (platform, config) => {
  const peer = serviceCredentials(platform, 'notification');
  const hierarchy = remoteHierarchyQuery(config.peers.hierarchyRollup, peer);
  const catalog = remoteCatalogQuery(config.peers.indicator, peer);
  const module = createNotificationService(platform, { hierarchy, catalog });
  let invalidation: EventConsumer | null = null;
  return {
    module: {
      ...module,
      async start() {
        invalidation = await startCacheInvalidation(platform, 'notification.catalog', TOPICS.catalog, () => catalog.invalidate());
        await module.start();
      },
      async stop() {
        await module.stop();
        await invalidation?.stop();
      },
    },
    installHttp: (app) => secureHttp(app, { platform, hierarchy }),
    close: () => {
      hierarchy.close();
      catalog.close();
    },
  };
});
