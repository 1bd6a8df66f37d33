import { TOPICS, type CatalogQuery, type HierarchyQuery, type RollupQuery } from '@tally/contracts';
import { REPORT_CONSUMER_LINGER_MS, startEventConsumer, type EventConsumer, type Platform, type ServiceModule } from '@tally/runtime';
import { datasetCollections, PREFIX, project } from './datasets';
import { createOpenDataModel, type ProgressDoc } from './open-data-model';
import type { OpenData } from './open-data';
import { createReleaseScheduler, type DueDoc } from './release-scheduler';
import { datasetsSteps } from './report-progress';
import { openDataRoutes } from './routes';
import { loadOpenDataSettings, type OpenDataSettings } from './settings';

/**
 * The open-data service: datasets an administrator defines (or the per-template defaults), their immutable
 * releases, and the public API that serves them in CSV, JSON, SDMX, Data Package and DCAT, no sign-in.
 */
export function createOpenDataService(
  platform: Platform,
  deps: { catalog: CatalogQuery; hierarchy: HierarchyQuery; rollups: RollupQuery },
  settings: OpenDataSettings = loadOpenDataSettings(),
): ServiceModule & { openData: OpenData; releaseDue(): Promise<number> } {
  const progress = platform.readStore.collection<ProgressDoc>(`${PREFIX}datasets`);
  const due = platform.readStore.collection<DueDoc>(`${PREFIX}due`);
  const c = datasetCollections(platform.readStore);
  const consumers: EventConsumer[] = [];
  let timer: NodeJS.Timeout | null = null;
  const { openData, clearLiveTables } = createOpenDataModel({ platform, sources: deps, settings, collections: c, progress });
  const scheduler = createReleaseScheduler({ platform, rollups: deps.rollups, openData, collections: c, due });
  const { markDue } = scheduler;
  const releaseDueOnce = scheduler.releaseDue;

  return {
    name: 'open-data',
    readModelPrefix: PREFIX,
    routes: openDataRoutes(openData),
    openData,
    releaseDue: releaseDueOnce,
    consumers: () => consumers,
    async start() {
      await progress.ensureIndex(['template']);
      await c.releases.ensureIndex(['dataset']);
      consumers.push(
        await startEventConsumer({
          bus: platform.bus,
          groupId: 'open-data.datasets',
          topics: [TOPICS.reports],
          logger: platform.logger,
          lingerMs: REPORT_CONSUMER_LINGER_MS,
          handle: async (events, partition) => {
            for (const step of datasetsSteps(events, partition)) {
              if (step.kind === 'progress') await progress.update(step.id, step.update, step.guard);
              else await markDue(step.event, step.trigger);
            }
          },
        }),
        // a renamed unit or a new catalog changes names in live tables: forget them
        await startEventConsumer({
          bus: platform.bus,
          groupId: 'open-data.reference',
          topics: [TOPICS.hierarchy, TOPICS.catalog],
          logger: platform.logger,
          handle: async () => {
            clearLiveTables();
          },
        }),
        await startEventConsumer({
          bus: platform.bus,
          groupId: 'open-data.releases',
          topics: [TOPICS.openData],
          logger: platform.logger,
          handle: async (events) => {
            for (const e of events) await project(c, e);
          },
        }),
      );
      timer = setInterval(() => {
        releaseDueOnce().catch((err: unknown) => platform.logger.error({ err }, 'open-data releases failed; retrying'));
      }, settings.releaseIntervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await scheduler.inFlight()?.catch(() => undefined);
      await Promise.all(consumers.splice(0).map((x) => x.stop()));
    },
  };
}
