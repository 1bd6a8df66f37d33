import { TOPICS, type CatalogQuery } from '@tally/contracts';
import { startEventConsumer, type EventConsumer, type Platform, type ServiceModule } from '@tally/runtime';
import { CATALOG_STREAM, isCatalogPublished, type CatalogPublished } from './catalog-events';
import { catalogQueryOf } from './catalog-query';
import { CatalogRegistry } from './catalog-registry';
import { indicatorRoutes } from './routes';
import { validateReportEvent } from './validation-consumer';

/** The indicator service: owns the catalog (versions by legal basis) and checks reports against its rules. */
export interface IndicatorService extends ServiceModule {
  readonly catalogQuery: CatalogQuery;
  readonly registry: CatalogRegistry;
}

export function createIndicatorService(platform: Platform): IndicatorService {
  const registry = new CatalogRegistry();
  const consumers: EventConsumer[] = [];

  async function loadCatalogs(): Promise<void> {
    for (const e of await platform.store.readStream(CATALOG_STREAM)) {
      if (isCatalogPublished(e)) registry.add((e.data as CatalogPublished['data']).catalog);
    }
  }

  return {
    name: 'indicator',
    registry,
    catalogQuery: catalogQueryOf(registry),
    routes: indicatorRoutes({ store: platform.store, registry, nudgeRelay: platform.nudgeRelay }),
    consumers: () => consumers,
    async start() {
      await loadCatalogs();
      consumers.push(
        await startEventConsumer({
          bus: platform.bus,
          // every replica needs every catalog version: one group per process in distributed mode
          groupId: platform.config.mode === 'distributed' ? `indicator.catalog.${platform.config.instanceId}` : 'indicator.catalog',
          topics: [TOPICS.catalog],
          logger: platform.logger,
          handle: async (events) => {
            for (const e of events) if (isCatalogPublished(e)) registry.add((e.data as CatalogPublished['data']).catalog);
          },
        }),
        await startEventConsumer({
          bus: platform.bus,
          groupId: 'indicator.validation',
          topics: [TOPICS.reports],
          logger: platform.logger,
          handle: async (events) => {
            for (const e of events) await validateReportEvent(platform.store, registry, e);
            platform.nudgeRelay();
          },
        }),
      );
    },
    async stop() {
      await Promise.all(consumers.splice(0).map((c) => c.stop()));
    },
  };
}
