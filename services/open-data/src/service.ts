import { TOPICS, TallyError, type CatalogQuery, type HierarchyQuery, type RollupQuery } from '@tally/contracts';
import { csvField, parsePeriod, type ReportValuesData } from '@tally/core';
import type { Doc } from '@tally/readstore';
import { startEventConsumer, type EventConsumer, type Platform, type ServiceModule } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import { datasetIdOf, datasetMeta, FIELDS, LICENCE } from './datasets';

/** The open-data service: publishes rolled-up values as versioned open datasets, no login to read. */
interface DatasetProgressDoc extends Doc {
  template: string;
  /** period -> true */
  periods: Record<string, boolean>;
  /** events applied, per partition share (the dataset version is their sum) */
  applied: number;
  updatedAt: string;
}

const PROGRESS = 'opendata_datasets';

export function createOpenDataService(platform: Platform, deps: { catalog: CatalogQuery; hierarchy: HierarchyQuery; rollups: RollupQuery }): ServiceModule {
  const datasets = platform.readStore.collection<DatasetProgressDoc>(PROGRESS);
  const consumers: EventConsumer[] = [];

  async function progressOf(template: string): Promise<{ version: number; periods: string[]; updatedAt: string | null }> {
    const shares = await datasets.find({ template });
    const periods = new Set<string>();
    let updatedAt: string | null = null;
    for (const s of shares) {
      Object.keys(s.periods ?? {}).forEach((p) => periods.add(p));
      if (!updatedAt || s.updatedAt > updatedAt) updatedAt = s.updatedAt;
    }
    // the dataset version is the newest event position it reflects: it only grows as data arrives
    const version = shares.reduce((m, s) => Math.max(m, s.applied ?? 0), 0);
    return { version, periods: [...periods].sort(), updatedAt };
  }

  async function templates(): Promise<string[]> {
    const catalog = await deps.catalog.catalogFor();
    return (catalog?.templates ?? []).map((t) => t.code);
  }

  async function resolve(id: string): Promise<string> {
    const template = (await templates()).find((t) => datasetIdOf(t) === id);
    if (!template) throw new TallyError('NOT_FOUND', `no dataset ${id}`);
    return template;
  }

  async function rows(template: string): Promise<Array<Record<string, string | number>>> {
    const { periods } = await progressOf(template);
    const out: Array<Record<string, string | number>> = [];
    for (const period of periods) {
      const p = parsePeriod(period);
      if (!p) continue;
      const hierarchy = await deps.hierarchy.versionFor(p.endDate);
      const catalog = await deps.catalog.catalogFor(p.endDate);
      const names = new Map((catalog?.dataElements ?? []).map((e) => [e.code, e.name]));
      const t = catalog?.templates.find((x) => x.code === template);
      for (const province of await deps.hierarchy.children(hierarchy, 'VN')) {
        const rollup = await deps.rollups.rollup({ orgUnit: province.code, period, hierarchy });
        if ((rollup.completeness[template]?.received ?? 0) === 0) continue;
        for (const [key, value] of Object.entries(rollup.dataElements).sort(([a], [b]) => (a < b ? -1 : 1))) {
          const element = key.split('.')[0]!;
          if (t && !t.dataElements.includes(element)) continue;
          out.push({ province_code: province.code, province_name: province.name, hierarchy, period, data_element: key, data_element_name: names.get(element) ?? element, value });
        }
      }
    }
    return out;
  }

  const routes: FastifyPluginAsync = async (app) => {
    app.get('/open-data/datasets', async () => {
      const catalog = await deps.catalog.catalogFor();
      const list = [];
      for (const t of await templates()) list.push(datasetMeta(catalog, t, await progressOf(t)));
      return { licence: LICENCE, datasets: list };
    });
    const nameParam = { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: '^[a-z0-9-]{1,80}(\\.(csv|json))?$' } } };
    // one route: /open-data/datasets/<id> (metadata), <id>.json and <id>.csv (the data)
    app.get('/open-data/datasets/:name', { schema: { params: nameParam } }, async (request, reply) => {
      const [id, format] = (request.params as { name: string }).name.split('.') as [string, string | undefined];
      const template = await resolve(id);
      const meta = datasetMeta(await deps.catalog.catalogFor(), template, await progressOf(template));
      if (!format) return meta;
      const data = await rows(template);
      if (format === 'json') return { meta, rows: data };
      const header = FIELDS.map((f) => f.name);
      const lines = [header.join(','), ...data.map((r) => header.map((h) => csvField(r[h] ?? '')).join(','))];
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${id}-v${meta.version}.csv"`)
        .header('link', `<${LICENCE.path}>; rel="license"`)
        .send(lines.join('\n') + '\n');
    });
  };

  return {
    name: 'open-data',
    readModelPrefix: 'opendata_',
    routes,
    consumers: () => consumers,
    async start() {
      await datasets.ensureIndex(['template']);
      consumers.push(
        await startEventConsumer({
          bus: platform.bus,
          groupId: 'open-data.datasets',
          topics: [TOPICS.reports],
          logger: platform.logger,
          handle: async (events, partition) => {
            for (const e of events) {
              if (e.type !== 'tally.report.submitted' && e.type !== 'tally.report.amended') continue;
              const d = e.data as ReportValuesData;
              await datasets.update(
                `${d.template}|p${partition}`,
                { set: { template: d.template, [`periods.${d.period}`]: true, applied: e.position, updatedAt: e.time } },
                { field: 'applied', below: e.position },
              );
            }
          },
        }),
      );
    },
    async stop() {
      await Promise.all(consumers.splice(0).map((c) => c.stop()));
    },
  };
}
