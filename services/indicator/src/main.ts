import { runService } from '@tally/runtime';
import { indicatorGrpc } from './grpc';
import { createIndicatorService } from './service';

/** The indicator service alone (distributed mode): catalog owner, rule checks; serves CatalogService. */
await runService('indicator', (platform) => {
  const module = createIndicatorService(platform);
  return { module, grpc: indicatorGrpc(module.catalogQuery) };
});
