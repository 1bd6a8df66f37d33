import { runService } from '@tally/runtime';
import { createProjectionService } from './service';

/** The projection service alone (distributed mode): report read models and their queries. */
await runService('projection', (platform) => {
  const module = createProjectionService(platform);
  return { module, grpc: module.grpc };
});
