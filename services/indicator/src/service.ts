import { TallyError, TOPICS, type CatalogQuery, type HierarchyQuery, type RollupQuery } from '@tally/contracts';
import { REPORT_CONSUMER_LINGER_MS, startEventConsumer, type EventConsumer, type Platform, type ServiceModule } from '@tally/runtime';
import { CATALOG_STREAM, isCatalogPublished, type CatalogPublished } from './catalog-events';
import { catalogQueryOf } from './catalog-query';
import { CatalogRegistry } from './catalog-registry';
import { catalogXlsxRoutes } from './catalog-xlsx-routes';
import { indicatorRoutes } from './routes';
import { TargetTracker } from './target-tracker';
import { ReportValidator } from './validation-consumer';

/**
 * The indicator service: owns the catalog (versions by legal basis), checks reports (rules, min/max, outliers
 * against each unit's history), keeps targets and tells when rolled-up values meet or miss them, and ranks
 * units by composite indices.
 */
export interface IndicatorDeps {
  hierarchy: HierarchyQuery;
  rollups: RollupQuery;
}

export interface IndicatorService extends ServiceModule {
  readonly catalogQuery: CatalogQuery;
  readonly registry: CatalogRegistry;
  /**
   * Gives the service the hierarchy and rollups (targets, alerts, composites need them). In embedded mode the
   * hierarchy-rollup service is created after this one (it needs the catalog), so they are connected afterwards;
   * call before start().
   */
  connect(deps: IndicatorDeps): void;
}

export function createIndicatorService(platform: Platform, initial?: IndicatorDeps): IndicatorService {
  const registry = new CatalogRegistry();
  const consumers: EventConsumer[] = [];
  const validator = new ReportValidator(platform.store, platform.readStore, registry);
  let deps: IndicatorDeps | undefined = initial;
  let tracker: TargetTracker | undefined;

  const queries = (): IndicatorDeps => {
    if (!deps) throw new TallyError('UNAVAILABLE', 'the indicator service is not connected to the hierarchy and rollups');
    return deps;
  };
  const trackerOf = (): TargetTracker => {
    if (!tracker) {
      const { hierarchy, rollups } = queries();
      tracker = new TargetTracker({ store: platform.store, readStore: platform.readStore, registry, hierarchy, rollups, logger: platform.logger });
    }
    return tracker;
  };

  async function loadCatalogs(): Promise<void> {
    for (const e of await platform.store.readStream(CATALOG_STREAM)) {
      if (isCatalogPublished(e)) registry.add((e.data as CatalogPublished['data']).catalog, e.position);
    }
  }

  return {
    name: 'indicator',
    registry,
    readModelPrefix: 'indicator_',
    catalogQuery: catalogQueryOf(registry),
    connect(d) {
      deps = d;
      tracker = undefined;
    },
    routes: async (app) => {
      await app.register(
        indicatorRoutes({
          store: platform.store,
          registry,
          nudgeRelay: platform.nudgeRelay,
          queries,
          validator,
          targets: () => trackerOf().targets,
        }),
      );
      await app.register(catalogXlsxRoutes({ store: platform.store, registry, nudgeRelay: platform.nudgeRelay, importLimitBytes: platform.config.importLimitBytes }));
    },
    consumers: () => consumers,
    async start() {
      await loadCatalogs();
      await validator.ensureIndexes();
      await validator.moveFormerHistory();
      consumers.push(
        await startEventConsumer({
          bus: platform.bus,
          // every replica needs every catalog version: one group per process in distributed mode
          groupId: platform.config.mode === 'distributed' ? `indicator.catalog.${platform.config.instanceId}` : 'indicator.catalog',
          topics: [TOPICS.catalog],
          logger: platform.logger,
          handle: async (events) => {
            for (const e of events) if (isCatalogPublished(e)) registry.add((e.data as CatalogPublished['data']).catalog, e.position);
          },
        }),
        await startEventConsumer({
          bus: platform.bus,
          groupId: 'indicator.validation',
          topics: [TOPICS.reports],
          logger: platform.logger,
          lingerMs: REPORT_CONSUMER_LINGER_MS,
          handle: async (events) => {
            await validator.validateBatch(events);
            platform.nudgeRelay();
          },
        }),
      );
      if (deps) {
        const t = trackerOf();
        await t.ensureIndexes();
        consumers.push(
          await startEventConsumer({
            bus: platform.bus,
            groupId: 'indicator.targets',
            topics: [TOPICS.reports, TOPICS.indicators],
            logger: platform.logger,
            lingerMs: REPORT_CONSUMER_LINGER_MS,
            handle: async (events) => {
              if (await t.handle(events)) platform.nudgeRelay();
            },
          }),
        );
      }
    },
    async stop() {
      await Promise.all(consumers.splice(0).map((c) => c.stop()));
    },
  };
}
