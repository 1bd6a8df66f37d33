import { installUpstreamGuard } from '@tally/svc-sync';
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
    installHttp: async (app) => {
      installUpstreamGuard(app, config.upstreamUrl ?? null); // a linked deployment's catalog, map and targets are upstream's
      return secureHttp(app, { platform, hierarchy, auth });
    },
    close: () => {
      hierarchy.close();
      rollups.close();
    },
  };
});
