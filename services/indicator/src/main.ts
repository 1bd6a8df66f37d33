import { remoteHierarchyQuery, remoteRollupQuery, runService } from '@tally/runtime';
import { indicatorGrpc } from './grpc';
import { createIndicatorService } from './service';

/** The indicator service alone (distributed mode): catalog owner, report checks, targets, composites; serves CatalogService. */
await runService('indicator', (platform, config) => {
  const hierarchy = remoteHierarchyQuery(config.peers.hierarchyRollup);
  const rollups = remoteRollupQuery(config.peers.hierarchyRollup);
  const module = createIndicatorService(platform, { hierarchy, rollups });
  return {
    module,
    grpc: indicatorGrpc(module.catalogQuery),
    close: () => {
      hierarchy.close();
      rollups.close();
    },
  };
});
