import type { CatalogQuery, HierarchyQuery } from '@tally/contracts';
import type { Platform, ServiceModule } from '@tally/runtime';
import { ingestionRoutes } from './routes';
import { workflowRoutes } from './workflow-routes';
import { formRoutes } from './forms/form-routes';
import { dataValueSetRoutes } from './data-value-sets/data-value-set-routes';

/** The ingestion service: accepts reports and decides them on the event store. It consumes nothing. */
export function createIngestionService(platform: Platform, deps: { catalog: CatalogQuery; hierarchy: HierarchyQuery }): ServiceModule {
  return {
    name: 'ingestion',
    routes: async (app) => {
      const routeDeps = { store: platform.store, catalog: deps.catalog, hierarchy: deps.hierarchy, nudgeRelay: platform.nudgeRelay };
      await app.register(ingestionRoutes(routeDeps));
      await app.register(workflowRoutes(routeDeps));
      await app.register(formRoutes({ ...routeDeps, importLimitBytes: platform.config.importLimitBytes }));
      await app.register(dataValueSetRoutes({ ...routeDeps, importLimitBytes: platform.config.importLimitBytes }));
    },
    consumers: () => [],
    async start() {},
    async stop() {},
  };
}
