import { platformAuth, secureGrpc, secureHttp, serviceCredentials } from '@tally/auth';
import { remoteHierarchyQuery, remoteRollupQuery, runService } from '@tally/runtime';
import { indicatorGrpc } from './grpc';
import { createIndicatorService } from './service';

/** The indicator service alone (distributed mode): catalog owner, report checks, targets, composites; serves CatalogService. */
await runService('indicator', async (platform, config) => {
  const peer = serviceCredentials(platform, 'indicator');
  const hierarchy = remoteHierarchyQuery(config.peers.hierarchyRollup, peer);
  const rollups = remoteRollupQuery(config.peers.hierarchyRollup, peer);
  const module = createIndicatorService(platform, { hierarchy, rollups });
  const auth = await platformAuth(platform, hierarchy);
  return {
    module,
    grpc: secureGrpc(indicatorGrpc(module.catalogQuery), auth),
    installHttp: (app) => secureHttp(app, { platform, hierarchy, auth }),
    close: () => {
      hierarchy.close();
      rollups.close();
    },
  };
});
