import { secureHttp } from '@tally/auth';
import { remoteHierarchyQuery, runService } from '@tally/runtime';
import { createProjectionService } from './service';

/** The projection service alone (distributed mode): report read models and their queries. */
await runService('projection', (platform, config) => {
  const module = createProjectionService(platform);
  const hierarchy = remoteHierarchyQuery(config.peers.hierarchyRollup);
  return { module, grpc: module.grpc, installHttp: (app) => secureHttp(app, { platform, hierarchy }), close: () => hierarchy.close() };
});
