import { dataQuerySchema, definitionSchema } from './schemas';

/** The OpenAPI 3.1 document of the open-data API (served at /api/v1/open-data/openapi.json). */
export function openApiDocument(): Record<string, unknown> {
  const name = { name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,79}$' }, description: 'dataset id' };
  const dataParams = Object.entries(dataQuerySchema.properties).map(([key, schema]) => ({ name: key, in: 'query', required: false, schema, description: QUERY_HELP[key] }));
  const error = { description: 'an error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  const data = (what: string) => ({
    description: what,
    headers: { ETag: { schema: { type: 'string' } }, Link: { schema: { type: 'string' }, description: 'licence, and the next page when paginated' } },
    content: {
      'text/csv': { schema: { type: 'string' } },
      'application/json': { schema: { type: 'object' } },
      'application/vnd.sdmx.data+csv; version=2.0.0': { schema: { type: 'string' } },
      'application/vnd.sdmx.data+json; version=2.0.0': { schema: { type: 'object' } },
    },
  });
  const publicGet = (summary: string, parameters: unknown[], ok: unknown) => ({
    get: { summary, security: [], parameters, responses: { 200: ok, 304: { description: 'not modified (If-None-Match)' }, 404: error, 429: error } },
  });
  const admin = (summary: string, body: unknown, parameters: unknown[] = []) => ({
    summary,
    security: [{ bearer: [] }],
    parameters,
    requestBody: { required: true, content: { 'application/json': { schema: body } } },
    responses: { 200: { description: 'unchanged or replaced' }, 201: { description: 'created' }, 400: error, 401: error, 403: error, 404: error, 409: error, 422: error },
  });
  const file = { name: 'file', in: 'path', required: true, schema: { type: 'string' }, description: 'release number, optionally with .csv, .json, .sdmx.csv or .sdmx.json' };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tally open data',
      version: '1',
      description: 'Open datasets of the NTP 1719 monitoring platform: no sign-in to read; CC BY 4.0 unless a dataset says otherwise.',
      license: { name: 'CC-BY-4.0', url: 'https://creativecommons.org/licenses/by/4.0/' },
    },
    servers: [{ url: '/api/v1' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} } } } },
        DatasetDefinition: definitionSchema(true),
      },
    },
    paths: {
      '/open-data/datasets': {
        ...publicGet('the datasets, each with licence, releases and distributions', [], { description: 'the catalog' }),
        post: admin('define a dataset (central administrators)', { $ref: '#/components/schemas/DatasetDefinition' }),
      },
      '/open-data/datasets/{name}': {
        ...publicGet('a dataset: metadata; with .csv, .json, .sdmx.csv or .sdmx.json: its latest data (latest release, or live before the first)', [name, ...dataParams], data('metadata or data')),
        put: admin('replace a dataset definition', definitionSchema(false), [name]),
      },
      '/open-data/datasets/{name}/datapackage.json': publicGet('Frictionless Tabular Data Package of the latest data', [name], { description: 'datapackage.json' }),
      '/open-data/datasets/{name}/releases': {
        ...publicGet('the public releases, newest first', [name], { description: 'releases' }),
        post: admin('cut a release now (optionally embargoed until an instant)', { type: 'object', properties: { embargoUntil: { type: 'string', format: 'date-time' } } }, [name]),
      },
      '/open-data/datasets/{name}/releases/{file}': publicGet('a release: its header, or its data in a format', [name, file, ...dataParams], data('a release')),
      '/open-data/datasets/{name}/releases/{file}/datapackage.json': publicGet('Frictionless Tabular Data Package of one release', [name, { ...file, description: 'release number' }], { description: 'datapackage.json' }),
      '/open-data/catalog.jsonld': publicGet('DCAT-AP 3 catalog in JSON-LD, for harvesters', [], { description: 'the catalog', content: { 'application/ld+json': { schema: { type: 'object' } } } }),
      '/open-data/openapi.json': publicGet('this document', [], { description: 'OpenAPI 3.1' }),
    },
  };
}

const QUERY_HELP: Record<string, string> = {
  dataElement: 'data element codes (comma-separated; ELEMENT matches its disaggregations too)',
  indicator: 'indicator codes (comma-separated)',
  orgUnit: 'unit codes (comma-separated)',
  unit: 'same as orgUnit',
  level: 'hierarchy levels (comma-separated)',
  period: 'period codes (comma-separated)',
  updatedAfter: 'only cells changed after this instant (by the release that changed them)',
  asOf: 'the data as published at this instant (the release in force then; live datasets: the rollups as they stood)',
  limit: 'page size (JSON default 1000; CSV and SDMX: everything unless set)',
  offset: 'rows to skip',
  bom: 'CSV: start with a UTF-8 byte order mark (Excel)',
  lang: 'SDMX-JSON: content language (vi default, en)',
};
