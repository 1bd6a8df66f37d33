import type { CatalogQuery, HierarchyQuery } from '@tally/contracts';
import type { Platform, ServiceModule } from '@tally/runtime';
import { ingestionRoutes } from './routes';

/** The ingestion service: accepts reports and decides them on the event store. It consumes nothing. */
export function createIngestionService(platform: Platform, deps: { catalog: CatalogQuery; hierarchy: HierarchyQuery }): ServiceModule {
  return {
    name: 'ingestion',
    routes: ingestionRoutes({ store: platform.store, catalog: deps.catalog, hierarchy: deps.hierarchy, nudgeRelay: platform.nudgeRelay }),
    consumers: () => [],
    async start() {},
    async stop() {},
  };
}
