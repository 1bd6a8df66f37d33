import { TallyError } from '@tally/contracts';
import { definitionProblems, normalizeDefinition, type DatasetDefinition, type DatasetInput } from '@tally/core';
import { Strict, Type, eventContextOf, type TypeBoxTypeProvider } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import { dataPackage } from './formats/datapackage';
import { dcatCatalog } from './formats/dcat';
import { openApiDocument } from './openapi';
import { baseOf, datasetMeta, sendData, type Format } from './dataset-responses';
import { installPublicHttp } from './public-http';
import { DATASET_ID_PATTERN, DefinitionSchema, NewDefinitionSchema, dataQuerySchema, type DefinitionBody } from './schemas';
import type { OpenData } from './open-data';
import { datasetUrl, distributions, releaseUrl } from './urls';

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


/** The open-data HTTP API: public reads (no sign-in) and the administrators' definitions and releases. */
export function openDataRoutes(od: OpenData): FastifyPluginAsync {
  return async (plain) => {
    installPublicHttp(plain, od.settings.rateLimit);
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/open-data/datasets', async (request) => {
      const base = baseOf(od, request);
      const list = [];
      for (const s of await od.datasets()) list.push(await datasetMeta(od, s, base));
      return { licence: { name: 'CC-BY-4.0', title: 'Creative Commons Attribution 4.0', path: 'https://creativecommons.org/licenses/by/4.0/' }, datasets: list };
    });

    // /open-data/datasets/<id> (metadata), <id>.csv, .json, .sdmx.csv, .sdmx.json (the latest data)
    app.get('/open-data/datasets/:name', { schema: { params: NameFileParams, querystring: dataQuerySchema } }, async (request, reply) => {
      const { id, format } = splitName(request.params.name);
      if (!format) return datasetMeta(od, await od.dataset(id), baseOf(od, request));
      return sendData(od, request, reply, request.query, id, format, null);
    });

    app.get('/open-data/datasets/:name/datapackage.json', { schema: { params: NameParams } }, async (request) => {
      const { name } = request.params;
      const s = await od.dataset(name);
      const releases = await od.releases(name);
      return dataPackage(s.def, baseOf(od, request), null, releases[releases.length - 1] ?? null);
    });

    app.get('/open-data/datasets/:name/releases', { schema: { params: NameParams } }, async (request) => {
      const { name } = request.params;
      const s = await od.dataset(name);
      const base = baseOf(od, request);
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
        if (format) return sendData(od, request, reply, request.query, name, format, Number(n));
        const header = (await od.releases(name)).find((r) => r.release === Number(n));
        if (!header) throw new TallyError('NOT_FOUND', `dataset ${name} has no public release ${n}`);
        const base = baseOf(od, request);
        return { ...header, url: base + releaseUrl(name, header.release), distributions: distributions(base, name, header.release) };
      },
    );

    app.get('/open-data/datasets/:name/releases/:file/datapackage.json', { schema: { params: ReleaseNumberParams } }, async (request) => {
      const { name, file } = request.params;
      const s = await od.dataset(name);
      const header = (await od.releases(name)).find((r) => r.release === Number(file));
      if (!header) throw new TallyError('NOT_FOUND', `dataset ${name} has no public release ${file}`);
      return dataPackage(s.def, baseOf(od, request), header.release, header);
    });

    app.get('/open-data/catalog.jsonld', async (request, reply) => {
      const datasets = [];
      for (const s of await od.datasets()) {
        const releases = await od.releases(s.def.id);
        datasets.push({ def: s.def, releases, modified: releases[releases.length - 1]?.releasedAt ?? s.definedAt });
      }
      void reply.header('content-type', 'application/ld+json; charset=utf-8');
      return dcatCatalog(baseOf(od, request), datasets);
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
