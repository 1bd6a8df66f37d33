import { TallyError } from '@tally/contracts';
import { definitionProblems, normalizeDefinition, type DatasetDefinition, type DatasetInput, type ReleaseCell, type ReleaseHeader } from '@tally/core';
import { Strict, Type, eventContextOf, type TypeBoxTypeProvider } from '@tally/runtime';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { tableCsv } from './formats/csv';
import { dataPackage } from './formats/datapackage';
import { dcatCatalog } from './formats/dcat';
import { sdmxCsv, sdmxJson } from './formats/sdmx';
import { openApiDocument } from './openapi';
import { installPublicHttp } from './public-http';
import { DATASET_ID_PATTERN, DefinitionSchema, NewDefinitionSchema, dataQuerySchema, type DataQuery, type DefinitionBody } from './schemas';
import type { DatasetSummary, OpenData } from './open-data';
import { columnsOf, recordOf } from './table';
import { datasetUrl, distributions, FORMATS, releaseUrl } from './urls';

/** The open-data HTTP API: public reads (no sign-in) and the administrators' definitions and releases. */
type Format = 'csv' | 'json' | 'sdmx.csv' | 'sdmx.json';

const FILE_SUFFIX = '(\\.(csv|json|sdmx\\.csv|sdmx\\.json))?';
const DatasetName = Type.String({ pattern: DATASET_ID_PATTERN });
const NameParams = Type.Object({ name: DatasetName });
/** <id> (metadata) or <id>.csv, .json, .sdmx.csv, .sdmx.json */
const NameFileParams = Type.Object({ name: Type.String({ pattern: `^[a-z0-9][a-z0-9-]{0,79}${FILE_SUFFIX}$` }) });
/** a release number, with or without a format suffix */
const ReleaseFileParams = Type.Object({ name: DatasetName, file: Type.String({ pattern: `^[1-9][0-9]{0,5}${FILE_SUFFIX}$` }) });
const ReleaseNumberParams = Type.Object({ name: DatasetName, file: Type.String({ pattern: '^[1-9][0-9]{0,5}$' }) });
const ReleaseBody = Strict({ embargoUntil: Type.Optional(Type.String({ maxLength: 40 })) });

function splitName(name: string): { id: string; format: Format | null } {
  const dot = name.indexOf('.');
  return dot < 0 ? { id: name, format: null } : { id: name.slice(0, dot), format: name.slice(dot + 1) as Format };
}

const LICENCE_NOTE = 'Source: Tally open data. Licence: see `licence` (CC BY 4.0 unless stated): reuse with attribution.';

export function openDataRoutes(od: OpenData): FastifyPluginAsync {
  return async (plain) => {
    installPublicHttp(plain, od.settings.rateLimit);
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    const baseOf = (request: FastifyRequest): string => od.settings.publicUrl ?? `${request.protocol}://${request.host}`;

    async function meta(s: DatasetSummary, base: string) {
      const releases = await od.releases(s.def.id);
      const live = s.version === null || releases.length === 0 ? await od.live(s.def) : null;
      const latest = releases[releases.length - 1] ?? null;
      const periods = s.def.periods.length > 0 ? s.def.periods : latest ? latest.periods : [...new Set(live!.cells.map((c) => c.period))].sort();
      return {
        id: s.def.id,
        title: s.def.title.en,
        description: s.def.description.en,
        titles: s.def.title,
        descriptions: s.def.description,
        template: s.def.templates[0] ?? null,
        templates: s.def.templates,
        dataElements: s.def.dataElements,
        indicators: s.def.indicators,
        levels: s.def.levels,
        figures: s.def.figures,
        licence: { name: s.def.licence.id, title: s.def.licence.title, path: s.def.licence.url },
        source: 'Tally reporting platform; administrative units: GSO codes (see data/vn-admin/README.md)',
        publisher: s.def.publisher.name,
        publisherDetails: s.def.publisher,
        updateFrequency: s.def.updateFrequency,
        keywords: s.def.keywords,
        releasePolicy: s.def.release,
        disclosure: s.def.disclosure,
        defined: s.version !== null,
        definitionVersion: s.version,
        /** grows whenever new data arrives (live), or the latest release number */
        version: latest ? latest.release : live!.version,
        periods,
        updatedAt: latest ? latest.releasedAt : live!.updatedAt,
        latestRelease: latest,
        releases: releases.map((r) => ({ release: r.release, releasedAt: r.releasedAt, url: base + releaseUrl(s.def.id, r.release) })),
        formats: FORMATS.map((f) => f.format),
        distributions: [...distributions(base, s.def.id, null), ...releases.flatMap((r) => distributions(base, s.def.id, r.release))],
        fields: columnsOf(s.def),
      };
    }

    /** The cells a request asks for: a release (the latest public one, one by number, or the one in force at `asOf`) or, before any, the live table. */
    async function table(s: DatasetSummary, release: number | null, q: DataQuery): Promise<{ header: ReleaseHeader | null; cells: ReleaseCell[]; releases: ReleaseHeader[]; updatedAt: string | null }> {
      const releases = await od.releases(s.def.id);
      let header: ReleaseHeader | null;
      if (release !== null) {
        header = releases.find((r) => r.release === release) ?? null;
        if (!header) throw new TallyError('NOT_FOUND', `dataset ${s.def.id} has no public release ${release}`);
      } else if (q.asOf !== undefined) {
        header = [...releases].reverse().find((r) => r.releasedAt <= q.asOf!) ?? null;
        if (!header && releases.length > 0) throw new TallyError('NOT_FOUND', `dataset ${s.def.id} had no release as of ${q.asOf}`);
      } else {
        header = releases[releases.length - 1] ?? null;
      }
      if (header) return { header, cells: await od.releaseCells(header), releases, updatedAt: header.releasedAt };
      const live = await od.live(s.def, q.asOf);
      return { header: null, cells: live.cells, releases, updatedAt: live.updatedAt };
    }

    function filter(cells: ReleaseCell[], q: DataQuery, releases: ReleaseHeader[], updatedAt: string | null): ReleaseCell[] {
      const list = (v: string | undefined) => (v === undefined ? null : new Set(v.split(',').map((x) => x.trim())));
      const elements = list(q.dataElement);
      const indicators = list(q.indicator);
      const units = list(q.orgUnit ?? q.unit);
      const levels = list(q.level);
      const periods = list(q.period);
      const releasedAt = new Map(releases.map((r) => [r.release, r.releasedAt]));
      return cells.filter((c) => {
        if (elements || indicators) {
          const wanted = c.kind === 'element' ? elements && (elements.has(c.item) || elements.has(c.item.split('.')[0]!)) : indicators?.has(c.item);
          if (!wanted) return false;
        }
        if (units && !units.has(c.unit)) return false;
        if (levels && !levels.has(c.level)) return false;
        if (periods && !periods.has(c.period)) return false;
        if (q.updatedAfter !== undefined) {
          const changed = c.changedIn !== undefined ? releasedAt.get(c.changedIn) : updatedAt;
          if (!changed || Date.parse(changed) <= Date.parse(q.updatedAfter)) return false;
        }
        return true;
      });
    }

    async function sendData(request: FastifyRequest, reply: FastifyReply, q: DataQuery, id: string, format: Format, release: number | null) {
      for (const k of ['asOf', 'updatedAfter'] as const) {
        if (q[k] !== undefined && Number.isNaN(Date.parse(q[k]!))) throw new TallyError('INVALID_REQUEST', `${k} must be an ISO 8601 instant`);
      }
      const s = await od.dataset(id);
      const t = await table(s, release, q);
      const all = filter(t.cells, q, t.releases, t.updatedAt);
      const offset = q.offset === undefined ? 0 : Number(q.offset);
      const pageSize = q.limit === undefined ? (format === 'json' ? od.settings.defaultPageSize : all.length) : Math.min(Number(q.limit), od.settings.maxPageSize);
      const cells = all.slice(offset, offset + pageSize);
      const next = offset + cells.length < all.length ? offset + cells.length : null;
      const stem = t.header ? `${id}-release-${t.header.release}` : `${id}-latest`;
      void reply.header('link', `<${s.def.licence.url}>; rel="license"`);
      void reply.header('cache-control', release !== null ? 'public, max-age=31536000, immutable' : 'public, max-age=60');
      if (next !== null) {
        const url = new URL(request.url, 'http://x');
        url.searchParams.set('offset', String(next));
        url.searchParams.set('limit', String(pageSize));
        void reply.header('link', `<${url.pathname}${url.search}>; rel="next", <${s.def.licence.url}>; rel="license"`);
      }
      if (format === 'json') {
        return {
          meta: await meta(s, baseOf(request)),
          release: t.header,
          provisional: t.header === null,
          note: LICENCE_NOTE,
          page: { offset, limit: pageSize, total: all.length, next },
          rows: cells.map((c) => recordOf(s.def, c)),
        };
      }
      if (format === 'sdmx.json') {
        void reply.header('content-type', 'application/vnd.sdmx.data+json; version=2.0.0; charset=utf-8');
        return sdmxJson(s.def, cells, { messageId: stem, prepared: t.updatedAt ?? new Date(0).toISOString(), language: q.lang ?? 'vi' });
      }
      const text = format === 'csv' ? tableCsv(s.def, cells, q.bom === '1' || q.bom === 'true') : sdmxCsv(s.def, cells);
      return reply
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8')
        .header('content-disposition', `attachment; filename="${stem}${format === 'csv' ? '' : '.sdmx'}.csv"`)
        .send(text);
    }

    app.get('/open-data/datasets', async (request) => {
      const base = baseOf(request);
      const list = [];
      for (const s of await od.datasets()) list.push(await meta(s, base));
      return { licence: { name: 'CC-BY-4.0', title: 'Creative Commons Attribution 4.0', path: 'https://creativecommons.org/licenses/by/4.0/' }, datasets: list };
    });

    // /open-data/datasets/<id> (metadata), <id>.csv, .json, .sdmx.csv, .sdmx.json (the latest data)
    app.get('/open-data/datasets/:name', { schema: { params: NameFileParams, querystring: dataQuerySchema } }, async (request, reply) => {
      const { id, format } = splitName(request.params.name);
      if (!format) return meta(await od.dataset(id), baseOf(request));
      return sendData(request, reply, request.query, id, format, null);
    });

    app.get('/open-data/datasets/:name/datapackage.json', { schema: { params: NameParams } }, async (request) => {
      const { name } = request.params;
      const s = await od.dataset(name);
      const releases = await od.releases(name);
      return dataPackage(s.def, baseOf(request), null, releases[releases.length - 1] ?? null);
    });

    app.get('/open-data/datasets/:name/releases', { schema: { params: NameParams } }, async (request) => {
      const { name } = request.params;
      const s = await od.dataset(name);
      const base = baseOf(request);
      const releases = await od.releases(s.def.id);
      return {
        dataset: s.def.id,
        releases: [...releases].reverse().map((r) => ({ ...r, url: base + releaseUrl(s.def.id, r.release), distributions: distributions(base, s.def.id, r.release) })),
      };
    });

    // /releases/<n> (the release's header), <n>.csv, .json, .sdmx.csv, .sdmx.json
    app.get(
      '/open-data/datasets/:name/releases/:file',
      { schema: { params: ReleaseFileParams, querystring: dataQuerySchema } },
      async (request, reply) => {
        const { name, file } = request.params;
        const { id: n, format } = splitName(file);
        if (format) return sendData(request, reply, request.query, name, format, Number(n));
        const header = (await od.releases(name)).find((r) => r.release === Number(n));
        if (!header) throw new TallyError('NOT_FOUND', `dataset ${name} has no public release ${n}`);
        const base = baseOf(request);
        return { ...header, url: base + releaseUrl(name, header.release), distributions: distributions(base, name, header.release) };
      },
    );

    app.get('/open-data/datasets/:name/releases/:file/datapackage.json', { schema: { params: ReleaseNumberParams } }, async (request) => {
      const { name, file } = request.params;
      const s = await od.dataset(name);
      const header = (await od.releases(name)).find((r) => r.release === Number(file));
      if (!header) throw new TallyError('NOT_FOUND', `dataset ${name} has no public release ${file}`);
      return dataPackage(s.def, baseOf(request), header.release, header);
    });

    app.get('/open-data/catalog.jsonld', async (request, reply) => {
      const datasets = [];
      for (const s of await od.datasets()) {
        const releases = await od.releases(s.def.id);
        datasets.push({ def: s.def, releases, modified: releases[releases.length - 1]?.releasedAt ?? s.definedAt });
      }
      void reply.header('content-type', 'application/ld+json; charset=utf-8');
      return dcatCatalog(baseOf(request), datasets);
    });

    app.get('/open-data/openapi.json', async () => openApiDocument());

    // administrators: define datasets and cut releases
    app.post('/open-data/datasets', { schema: { body: NewDefinitionSchema } }, async (request, reply) => {
      const def = await checked(od, inputOf(request.body, request.body.id));
      const r = await od.define(def, 'create', eventContextOf(request));
      void reply.header('location', datasetUrl(def.id));
      return reply.status(201).send({ dataset: def, version: r.version, position: r.position });
    });

    app.put('/open-data/datasets/:name', { schema: { params: NameParams, body: DefinitionSchema } }, async (request) => {
      const { name } = request.params;
      const body = request.body;
      if (body.id !== undefined && body.id !== name) throw new TallyError('INVALID_DATASET', `the body's id ${body.id} is not the dataset ${name}`);
      const def = await checked(od, inputOf(body, name));
      const r = await od.define(def, 'replace', eventContextOf(request));
      return { dataset: def, version: r.version, changed: r.changed, position: r.position };
    });

    app.post(
      '/open-data/datasets/:name/releases',
      {
        schema: {
          params: NameParams,
          body: ReleaseBody,
        },
      },
      async (request, reply) => {
        const { name } = request.params;
        const embargo = request.body.embargoUntil ?? null;
        if (embargo !== null && (Number.isNaN(Date.parse(embargo)) || !/T/.test(embargo))) throw new TallyError('INVALID_REQUEST', 'embargoUntil must be an ISO 8601 instant');
        const r = await od.release(name, { trigger: 'manual', embargoUntil: embargo, scheduledFor: null }, eventContextOf(request));
        if (!r.header) return reply.status(200).send({ created: false, release: r.latest, message: 'nothing changed since the latest release' });
        return reply.status(201).send({ created: true, release: r.header });
      },
    );
  };
}

/** The definition as the domain takes it: the dataset's id, and a description's missing language as empty text. */
function inputOf(body: DefinitionBody, id: string): DatasetInput {
  const { description, ...rest } = body;
  return { ...rest, id, ...(description ? { description: { vi: description.vi ?? '', en: description.en ?? '' } } : {}) };
}

async function checked(od: OpenData, input: DatasetInput): Promise<DatasetDefinition> {
  const def = normalizeDefinition(input);
  const catalog = await od.catalog();
  if (!catalog) throw new TallyError('NO_CATALOG', 'no catalog is published yet');
  const problems = definitionProblems(def, catalog);
  if (problems.length > 0) throw new TallyError('INVALID_DATASET', problems[0]!, { problems });
  return def;
}
