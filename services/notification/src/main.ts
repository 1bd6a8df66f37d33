import { secureHttp, serviceCredentials } from '@tally/auth';
import { remoteHierarchyQuery, runService } from '@tally/runtime';
import { createNotificationService } from './service';

/** The notification service alone (distributed mode): inboxes. */
await runService('notification', (platform, config) => {
  const hierarchy = remoteHierarchyQuery(config.peers.hierarchyRollup, serviceCredentials(platform, 'notification'));
  return {
    module: createNotificationService(platform, { hierarchy }),
    installHttp: (app) => secureHttp(app, { platform, hierarchy }),
    close: () => hierarchy.close(),
  };
});
