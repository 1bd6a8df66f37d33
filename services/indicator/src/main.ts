import { secureHttp } from '@tally/auth';
import { remoteHierarchyQuery, runService } from '@tally/runtime';
import { indicatorGrpc } from './grpc';
import { createIndicatorService } from './service';

/** The indicator service alone (distributed mode): catalog owner, rule checks; serves CatalogService. */
await runService('indicator', (platform, config) => {
  const module = createIndicatorService(platform);
  const hierarchy = remoteHierarchyQuery(config.peers.hierarchyRollup);
  return {
    module,
    grpc: indicatorGrpc(module.catalogQuery),
    installHttp: (app) => secureHttp(app, { platform, hierarchy }),
    close: () => hierarchy.close(),
  };
});
