import { TOPICS, type CatalogQuery, type GrpcRegistration, type HierarchyQuery } from '@tally/contracts';
import { projectionGrpc } from './grpc';
import { REPORT_CONSUMER_LINGER_MS, startEventConsumer, type EventConsumer, type Platform, type ServiceModule } from '@tally/runtime';
import { projectReportEvents } from './project-report';
import { REPORTS, type ReportViewDoc } from './report-view';
import { projectionRoutes } from './routes';
import { auditRoutes } from './audit-routes';
import { dueRoutes } from './due-routes';

/** The projection service: report status, values and history read models, and the query API over them. */
export interface ProjectionService extends ServiceModule {
  readonly grpc: GrpcRegistration[];
}

/** `deps` (catalog and hierarchy) enable `GET /due`. */
export function createProjectionService(platform: Platform, deps?: { catalog: CatalogQuery; hierarchy: HierarchyQuery }): ProjectionService {
  const reports = platform.readStore.collection<ReportViewDoc>(REPORTS);
  const consumers: EventConsumer[] = [];
  let views: EventConsumer | null = null;
  const caughtUp = (position: number): Promise<boolean> => views?.progress.waitFor(position, platform.config.readYourWritesTimeoutMs) ?? Promise.resolve(false);
  return {
    name: 'projection',
    readModelPrefix: 'projection_',
    routes: async (app) => {
      await app.register(projectionRoutes({ reports, caughtUp, ...(deps ? { hierarchy: deps.hierarchy } : {}) }));
      await app.register(auditRoutes({ store: platform.store }));
      if (deps) await app.register(dueRoutes({ reports, ...deps }));
    },
    grpc: projectionGrpc(reports),
    consumers: () => consumers,
    async start() {
      await reports.ensureIndex(['orgUnit']);
      await reports.ensureIndex(['period']);
      views = await startEventConsumer({
        bus: platform.bus,
        groupId: 'projection.reports',
        topics: [TOPICS.reports],
        logger: platform.logger,
        lingerMs: REPORT_CONSUMER_LINGER_MS,
        // a position of another topic (a catalog, an account) counts as reflected once the views have no lag
        publishedHorizon: () => platform.store.publishedPosition(),
        handle: async (events) => {
          await projectReportEvents(reports, events);
        },
      });
      consumers.push(views);
    },
    async stop() {
      await Promise.all(consumers.splice(0).map((c) => c.stop()));
    },
  };
}
