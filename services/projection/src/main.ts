import { platformAuth, secureGrpc, secureHttp, serviceCredentials } from '@tally/auth';
import { remoteHierarchyQuery, runService } from '@tally/runtime';
import { createProjectionService } from './service';

/** The projection service alone (distributed mode): report read models and their queries. */
await runService('projection', async (platform, config) => {
  const module = createProjectionService(platform);
  const hierarchy = remoteHierarchyQuery(config.peers.hierarchyRollup, serviceCredentials(platform, 'projection'));
  const auth = await platformAuth(platform, hierarchy);
  return { module, grpc: secureGrpc(module.grpc, auth), installHttp: (app) => secureHttp(app, { platform, hierarchy, auth }), close: () => hierarchy.close() };
});
