import { platformAuth, secureGrpc, secureHttp, serviceCredentials } from '@tally/auth';
import { remoteCatalogQuery, remoteHierarchyQuery, runService } from '@tally/runtime';
import { createProjectionService } from './service';

/** The projection service alone (distributed mode): report read models and their queries. */
await runService('projection', async (platform, config) => {
  const hierarchy = remoteHierarchyQuery(config.peers.hierarchyRollup, serviceCredentials(platform, 'projection'));
  const catalog = remoteCatalogQuery(config.peers.indicator, serviceCredentials(platform, 'projection'));
  const module = createProjectionService(platform, { catalog, hierarchy });
  const auth = await platformAuth(platform, hierarchy);
  const close = () => {
    hierarchy.close();
    catalog.close();
  };
  return { module, grpc: secureGrpc(module.grpc, auth), installHttp: (app) => secureHttp(app, { platform, hierarchy, auth }), close };
});
