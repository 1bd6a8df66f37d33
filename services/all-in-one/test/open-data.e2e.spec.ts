import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import Ajv from 'ajv-draft-04';
import jsonld from 'jsonld';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, householdValues, realRegistry, startTestPlatform, submit, type TestPlatform } from './helpers';

/**
 * Open data end to end (embedded mode): a dataset defined as data, immutable numbered releases with revision
 * flags and the small-cell rule, every format validated against its standard, the public API's HTTP features,
 * and releases rebuilt identically by replay. Period 2024S2 is read on the pre-2025 map (district 168, Phú Lương).
 */
const PERIOD = '2024S2';
const DISTRICT = '168';
const DATASET = 'phu-luong-households';
const API = '/api/v1/open-data';

const definition = {
  id: DATASET,
  title: { vi: 'Hộ nghèo theo xã, huyện Phú Lương', en: 'Poor households per commune, Phú Lương district' },
  description: { vi: 'Số hộ và hộ nghèo', en: 'Households and poor households' },
  templates: ['M1719_S'],
  dataElements: ['HH_TOTAL', 'HH_POOR'],
  indicators: ['POVERTY_RATE'],
  levels: ['district', 'commune'],
  periods: [PERIOD],
  keywords: ['poverty', 'nghèo'],
  updateFrequency: 'biannual',
  release: { on: 'manual' },
};

type Row = Record<string, string | number | null>;
const rowOf = (rows: Row[], unit: string, item: string) => rows.find((r) => r.org_unit_code === unit && r.data_element === item);

describe('open data: datasets, releases, formats, public API', () => {
  let p: TestPlatform;
  let communes: string[];
  let release1At = '';

  const post = (url: string, payload: object) => p.app.inject({ method: 'POST', url, payload });

  beforeAll(async () => {
    p = await startTestPlatform();
    communes = realRegistry().get('pre2025')!.childrenOf(DISTRICT).map((u) => u.code);
    // poor households 2 (small: withheld), 10, 12, 20, 30
    const poor = [2, 10, 12, 20, 30];
    for (const [i, commune] of communes.slice(0, 5).entries()) {
      const r = await submit(p, { orgUnit: commune, period: PERIOD, submissionId: `od-${commune}`, values: householdValues(100 * (i + 1), poor[i]!) });
      expect(r.status).toBe(202);
    }
    await p.waitUntilCaughtUp();
  });
  afterAll(() => p.dispose());

  it('defines a dataset as data: 201, then 409 for the same id, 422 for unknown figures, 400 for a bad shape, 404 to replace an unknown one', async () => {
    const created = await post(`${API}/datasets`, definition);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().dataset).toMatchObject({ id: DATASET, figures: 'official', licence: { id: 'CC-BY-4.0' }, disclosure: { minCount: 5, levels: ['commune'] } });
    expect((await post(`${API}/datasets`, definition)).json().error.code).toBe('DATASET_EXISTS');
    const unknown = await post(`${API}/datasets`, { ...definition, id: 'other', templates: ['NOPE'] });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.code).toBe('INVALID_DATASET');
    expect((await post(`${API}/datasets`, { ...definition, id: 'other', title: 'flat' })).json().error.code).toBe('INVALID_REQUEST');
    const missing = await p.app.inject({ method: 'PUT', url: `${API}/datasets/not-there`, payload: { title: definition.title, templates: ['M1719_S'] } });
    expect(missing.statusCode).toBe(404);
    await p.waitUntilCaughtUp();
    const list = await getJson(p, `${API}/datasets`);
    const meta = list.body.datasets.find((d: { id: string }) => d.id === DATASET);
    expect(meta).toMatchObject({ defined: true, titles: definition.title, licence: { name: 'CC-BY-4.0' }, latestRelease: null, periods: [PERIOD] });
    // the per-template defaults stay
    expect(list.body.datasets.map((d: { id: string }) => d.id)).toContain('province-rollups-m1719-s');
  });

  it('cuts release 1 with the small-cell rule applied: the small count (C), one complementary cell (D) and the rate that would reveal it withheld', async () => {
    const r = await post(`${API}/datasets/${DATASET}/releases`, {});
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().release).toMatchObject({ release: 1, trigger: 'manual', periods: [PERIOD] });
    release1At = r.json().release.releasedAt;
    await p.waitUntilCaughtUp();
    const data = await getJson(p, `${API}/datasets/${DATASET}/releases/1.json?limit=1000`);
    expect(data.status).toBe(200);
    const rows = data.body.rows as Row[];
    expect(rowOf(rows, communes[0]!, 'HH_POOR')).toMatchObject({ value: null, conf_status: 'C' });
    expect(rowOf(rows, communes[1]!, 'HH_POOR')).toMatchObject({ value: null, conf_status: 'D' });
    expect(rowOf(rows, communes[2]!, 'HH_POOR')).toMatchObject({ value: 12, conf_status: 'F' });
    expect(rowOf(rows, communes[0]!, 'POVERTY_RATE')).toMatchObject({ value: null, conf_status: 'D', item_type: 'indicator' });
    expect(rowOf(rows, DISTRICT, 'HH_POOR')).toMatchObject({ value: 74, conf_status: 'F', level: 'district' });
    expect(rowOf(rows, communes[4]!, 'HH_TOTAL')).toMatchObject({ value: 500, revision: '' });
    // nothing changed: no new release
    const again = await post(`${API}/datasets/${DATASET}/releases`, {});
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ created: false, release: { release: 1 } });
  });

  it('release 2 flags exactly the cells revised since release 1; release 1 stays downloadable as it was', async () => {
    const before = await p.app.inject({ method: 'GET', url: `${API}/datasets/${DATASET}/releases/1.csv` });
    const amended = await submit(p, { orgUnit: communes[3]!, period: PERIOD, submissionId: `od-${communes[3]}-2`, values: householdValues(400, 25), reason: 'recount' });
    expect(amended.status).toBe(202);
    await p.waitUntilCaughtUp();
    const r = await post(`${API}/datasets/${DATASET}/releases`, {});
    expect(r.statusCode, r.body).toBe(201);
    // HH_POOR of the commune and of the district, and both their poverty rates
    expect(r.json().release).toMatchObject({ release: 2, revised: 4, added: 0, removed: [] });
    await p.waitUntilCaughtUp();
    const rows = (await getJson(p, `${API}/datasets/${DATASET}/releases/2.json?limit=1000`)).body.rows as Row[];
    const flagged = rows.filter((x) => x.revision !== '').map((x) => `${x.org_unit_code}.${x.data_element}.${x.revision}`).sort();
    expect(flagged).toEqual([`${communes[3]}.HH_POOR.revised`, `${communes[3]}.POVERTY_RATE.revised`, `${DISTRICT}.HH_POOR.revised`, `${DISTRICT}.POVERTY_RATE.revised`].sort());
    const after = await p.app.inject({ method: 'GET', url: `${API}/datasets/${DATASET}/releases/1.csv` });
    expect(after.body).toBe(before.body);
    expect(after.headers['cache-control']).toContain('immutable');
    const list = await getJson(p, `${API}/datasets/${DATASET}/releases`);
    expect(list.body.releases.map((x: { release: number }) => x.release)).toEqual([2, 1]);
    // updatedAfter: only cells changed by a release published after the instant
    const changed = await getJson(p, `${API}/datasets/${DATASET}.json?updatedAfter=${encodeURIComponent(release1At)}`);
    expect(changed.body.rows.map((x: Row) => x.revision)).toEqual(['revised', 'revised', 'revised', 'revised']);
    // asOf: the release in force at that instant
    const asOf = await getJson(p, `${API}/datasets/${DATASET}.json?asOf=${encodeURIComponent(release1At)}&dataElement=HH_POOR&orgUnit=${communes[3]}`);
    expect(asOf.body.release.release).toBe(1);
    expect(asOf.body.rows).toEqual([expect.objectContaining({ value: 20 })]);
  });

  it('lists every format for the latest data and each release, and each one is served with its media type', async () => {
    const meta = (await getJson(p, `${API}/datasets/${DATASET}`)).body;
    const formats = meta.distributions.map((d: { format: string; release: number | null }) => `${d.release ?? 'latest'}:${d.format}`);
    for (const r of ['latest', 1, 2]) for (const f of ['csv', 'json', 'sdmx-csv', 'sdmx-json', 'datapackage']) expect(formats).toContain(`${r}:${f}`);
    for (const d of meta.distributions as Array<{ url: string; mediaType: string }>) {
      const res = await p.app.inject({ method: 'GET', url: new URL(d.url).pathname });
      expect(res.statusCode, d.url).toBe(200);
      expect(res.headers['content-type'], d.url).toContain(d.mediaType.split(';')[0]!);
    }
  });

  it('datapackage.json is a valid Frictionless Tabular Data Package whose schema matches the CSV header', async () => {
    const schema = JSON.parse(readFileSync(new URL('../../open-data/test/fixtures/frictionless/tabular-data-package.json', import.meta.url), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    for (const url of [`${API}/datasets/${DATASET}/datapackage.json`, `${API}/datasets/${DATASET}/releases/2/datapackage.json`, `${API}/datasets/province-rollups-m1719-s/datapackage.json`]) {
      const pkg = (await getJson(p, url)).body;
      expect(validate(pkg), JSON.stringify(validate.errors)).toBe(true);
      expect(pkg.licenses[0]).toMatchObject({ name: 'CC-BY-4.0', path: 'https://creativecommons.org/licenses/by/4.0/' });
      const csv = await p.app.inject({ method: 'GET', url: new URL(pkg.resources[0].path).pathname });
      expect(csv.body.split('\r\n')[0]).toBe(pkg.resources[0].schema.fields.map((f: { name: string }) => f.name).join(','));
    }
  });

  it('catalog.jsonld is DCAT-AP JSON-LD that parses as RDF with no remote context', async () => {
    const res = await p.app.inject({ method: 'GET', url: `${API}/catalog.jsonld` });
    expect(res.headers['content-type']).toContain('application/ld+json');
    const refuse = async (url: string): Promise<never> => {
      throw new Error(`remote context refused: ${url}`);
    };
    const quads = (await jsonld.toRDF(res.json(), { format: 'application/n-quads', documentLoader: refuse })) as unknown as string;
    const dataset = `<http://localhost:80${API}/datasets/${DATASET}>`;
    expect(quads).toContain(`${dataset} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/dcat#Dataset>`);
    expect(quads).toContain(`${dataset} <http://purl.org/dc/terms/license> <https://creativecommons.org/licenses/by/4.0/>`);
    expect(quads).toContain(`"Hộ nghèo theo xã, huyện Phú Lương"@vi`);
    expect(quads).toContain(`${dataset} <http://www.w3.org/ns/dcat#hasVersion> <http://localhost:80${API}/datasets/${DATASET}/releases/2>`);
    expect(quads).toMatch(/<http:\/\/www\.w3\.org\/ns\/dcat#downloadURL> <http:\/\/localhost:80\/api\/v1\/open-data\/datasets\/phu-luong-households\/releases\/1\.sdmx\.csv>/);
  });

  it('SDMX-JSON and SDMX-CSV data messages have the SDMX structure', async () => {
    const msg = (await getJson(p, `${API}/datasets/${DATASET}/releases/2.sdmx.json`)).body;
    expect(msg.meta).toMatchObject({ test: false, contentLanguages: ['vi'] });
    const structure = msg.data.structures[0];
    const dims = structure.dimensions.observation as Array<{ id: string; keyPosition: number; values: Array<{ id: string }> }>;
    expect(dims.map((d) => d.id)).toEqual(['REF_AREA', 'INDICATOR', 'TIME_PERIOD']);
    expect(dims[2]!.values).toEqual([{ id: '2024-S2' }]);
    expect(structure.measures.observation[0].id).toBe('OBS_VALUE');
    const attrs = structure.attributes.observation as Array<{ id: string; values: Array<{ id: string }> }>;
    const observations = msg.data.dataSets[0].observations as Record<string, Array<number | null>>;
    // the district and 5 communes x (HH_TOTAL, HH_POOR, POVERTY_RATE)
    expect(Object.keys(observations)).toHaveLength(18);
    for (const [key, obs] of Object.entries(observations)) {
      const idx = key.split(':').map(Number);
      idx.forEach((i, d) => expect(i).toBeLessThan(dims[d]!.values.length));
      expect(obs).toHaveLength(1 + attrs.length);
      const conf = attrs[0]!.values[obs[1]!]!.id;
      expect(obs[0] === null).toBe(conf !== 'F');
    }
    const csv = await p.app.inject({ method: 'GET', url: `${API}/datasets/${DATASET}/releases/2.sdmx.csv` });
    const [header, first] = csv.body.split('\r\n');
    expect(header).toBe('STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE,CONF_STATUS,REVISION,HIERARCHY');
    expect(first!.startsWith(`dataflow,TALLY:${DATASET}(1.0),I,`)).toBe(true);
  });

  it('public API: no sign-in, filters, pagination, ETag and 304, gzip, CORS, BOM on request', async () => {
    const page = await getJson(p, `${API}/datasets/${DATASET}.json?limit=3&level=commune&dataElement=HH_TOTAL`);
    expect(page.body.page).toEqual({ offset: 0, limit: 3, total: 5, next: 3 });
    expect(page.body.rows).toHaveLength(3);
    const second = await getJson(p, `${API}/datasets/${DATASET}.json?limit=3&offset=3&level=commune&dataElement=HH_TOTAL`);
    expect(second.body.page.next).toBeNull();
    expect(new Set([...page.body.rows, ...second.body.rows].map((r: Row) => r.org_unit_code)).size).toBe(5);
    const one = await getJson(p, `${API}/datasets/${DATASET}.json?orgUnit=${communes[2]}&period=${PERIOD}&indicator=POVERTY_RATE`);
    expect(one.body.rows).toEqual([expect.objectContaining({ org_unit_code: communes[2], data_element: 'POVERTY_RATE', value: 4 })]);

    const url = `${API}/datasets/${DATASET}.csv`;
    const first = await p.app.inject({ method: 'GET', url });
    expect(first.headers['access-control-allow-origin']).toBe('*');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const notModified = await p.app.inject({ method: 'GET', url, headers: { 'if-none-match': etag } });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.body).toBe('');
    const gz = await p.app.inject({ method: 'GET', url: `${API}/datasets/${DATASET}.json`, headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(gz.rawPayload).toString('utf8')).meta.id).toBe(DATASET);
    const bom = await p.app.inject({ method: 'GET', url: `${url}?bom=1` });
    expect(bom.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect((await getJson(p, `${API}/datasets/${DATASET}.json?asOf=yesterday`)).body.error.code).toBe('INVALID_REQUEST');
    expect((await getJson(p, `${API}/datasets/${DATASET}.json?color=red`)).body.error.code).toBe('INVALID_REQUEST');
    expect((await getJson(p, `${API}/datasets/${DATASET}/releases/9.csv`)).body.error.code).toBe('NOT_FOUND');
    // a live dataset (no releases) answers asOf with the rollups as they stood: before any report, nothing
    const live = `${API}/datasets/province-rollups-m1719-s.json`;
    expect((await getJson(p, live)).body.rows.length).toBeGreaterThan(0);
    expect((await getJson(p, `${live}?asOf=2001-01-01T00:00:00Z`)).body).toMatchObject({ provisional: true, rows: [] });
    const openapi = await getJson(p, `${API}/openapi.json`);
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.body.paths)).toContain('/open-data/datasets/{name}/releases/{file}');
  });

  it('a renamed unit shows in live tables at once, and a formula-like name comes out neutralised', async () => {
    const url = `${API}/datasets/province-rollups-m1719-s.csv`;
    expect((await p.app.inject({ method: 'GET', url })).body).toContain(',Tỉnh Thái Nguyên,');
    const renamed = await post('/api/v1/hierarchies/pre2025/changes', { change: { kind: 'rename', code: '19', name: '=HYPERLINK("http://x","Thái Nguyên")' }, reason: 'formula test' });
    expect(renamed.statusCode, renamed.body).toBeLessThan(300);
    await p.waitUntilCaughtUp();
    const csv = (await p.app.inject({ method: 'GET', url })).body;
    expect(csv).toContain(`19,"'=HYPERLINK(""http://x"",""Thái Nguyên"")",pre2025,${PERIOD},HH_TOTAL,`);
    expect(csv.split('\r\n').some((line) => line.split(',').some((cell) => /^"?[=+@]/.test(cell)))).toBe(false);
  });

  it('an embargoed release stays hidden until its instant', async () => {
    await submit(p, { orgUnit: communes[5]!, period: PERIOD, submissionId: `od-${communes[5]}`, values: householdValues(600, 60) });
    await p.waitUntilCaughtUp();
    const r = await post(`${API}/datasets/${DATASET}/releases`, { embargoUntil: '2999-01-01T00:00:00Z' });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().release).toMatchObject({ release: 3, embargoUntil: '2999-01-01T00:00:00Z', added: 3 });
    await p.waitUntilCaughtUp();
    expect((await getJson(p, `${API}/datasets/${DATASET}/releases`)).body.releases.map((x: { release: number }) => x.release)).toEqual([2, 1]);
    expect((await getJson(p, `${API}/datasets/${DATASET}/releases/3.json`)).status).toBe(404);
    expect((await getJson(p, `${API}/datasets/${DATASET}.json`)).body.release.release).toBe(2);
  });

  it('rebuilds every definition and release identically by replaying the log', async () => {
    const urls = [`${API}/datasets`, `${API}/datasets/${DATASET}/releases`, `${API}/datasets/${DATASET}/releases/1.csv`, `${API}/datasets/${DATASET}/releases/2.sdmx.json`, `${API}/catalog.jsonld`];
    const before = await Promise.all(urls.map((u) => p.app.inject({ method: 'GET', url: u })));
    await p.rebuild();
    const after = await Promise.all(urls.map((u) => p.app.inject({ method: 'GET', url: u })));
    for (let i = 0; i < urls.length; i++) expect(after[i]!.body, urls[i]).toBe(before[i]!.body);
  });
});

describe('open data: releases cut by approvals, locks and the calendar', () => {
  let p: TestPlatform;
  const releaseDue = () => (p.services.find((s) => s.name === 'open-data') as unknown as { releaseDue(): Promise<number> }).releaseDue();
  const post = (url: string, payload: object) => p.app.inject({ method: 'POST', url, payload });
  const releasesOf = async (id: string) => (await getJson(p, `${API}/datasets/${id}/releases`)).body.releases as Array<{ release: number; trigger: string; scheduledFor: string | null }>;

  beforeAll(async () => {
    p = await startTestPlatform();
  });
  afterAll(() => p.dispose());

  it('a dataset released on approval gets a release when a report it holds is finally approved, not before, and only once', async () => {
    const base = { title: { vi: 'Tỉnh', en: 'Provinces' }, templates: ['M1719_S'], periods: [PERIOD] };
    expect((await post(`${API}/datasets`, { ...base, id: 'on-approval' })).statusCode).toBe(201);
    expect((await post(`${API}/datasets`, { ...base, id: 'on-lock', release: { on: 'locked' } })).statusCode).toBe(201);
    const commune = realRegistry().get('pre2025')!.childrenOf(DISTRICT)[0]!.code;
    const r = await submit(p, { orgUnit: commune, period: PERIOD, submissionId: 'trigger-1', values: householdValues(120, 12) });
    const reportId = r.body.reportId as string;
    await p.waitUntilCaughtUp();
    expect(await releaseDue()).toBe(0);
    expect((await post(`/api/v1/reports/${reportId}/approve`, { level: 'district' })).statusCode).toBe(200);
    await p.waitUntilCaughtUp();
    expect(await releaseDue()).toBe(0); // the district approval is not the final one
    expect((await post(`/api/v1/reports/${reportId}/approve`, { level: 'province' })).statusCode).toBe(200);
    await p.waitUntilCaughtUp();
    expect(await releaseDue()).toBe(1);
    await p.waitUntilCaughtUp();
    expect(await releasesOf('on-approval')).toMatchObject([{ release: 1, trigger: 'approved' }]);
    expect(await releasesOf('on-lock')).toEqual([]);
    expect(await releaseDue()).toBe(0);
    expect((await post(`/api/v1/reports/${reportId}/lock`, {})).statusCode).toBe(200);
    await p.waitUntilCaughtUp();
    expect(await releaseDue()).toBe(1);
    await p.waitUntilCaughtUp();
    expect(await releasesOf('on-lock')).toMatchObject([{ release: 1, trigger: 'locked' }]);
    const rows = (await getJson(p, `${API}/datasets/on-lock/releases/1.json`)).body.rows as Row[];
    expect(rows.find((x) => x.data_element === 'HH_TOTAL')).toMatchObject({ province_code: '19', value: 120 });
  });

  it('a calendar entry that has come releases once, embargoed until its instant', async () => {
    const calendar = [{ at: '2020-01-01T00:00:00Z', embargoUntil: '2999-01-01T00:00:00Z' }, { at: '2021-01-01T00:00:00Z' }, { at: '2999-01-01T00:00:00Z' }];
    expect((await post(`${API}/datasets`, { id: 'scheduled', title: { vi: 'Lịch', en: 'Calendar' }, templates: ['M1719_S'], release: { on: 'manual', calendar } })).statusCode).toBe(201);
    await p.waitUntilCaughtUp();
    expect(await releaseDue()).toBe(2);
    await p.waitUntilCaughtUp();
    expect(await releaseDue()).toBe(0);
    // the first is still embargoed: only the second is public
    expect((await releasesOf('scheduled')).map((x) => [x.release, x.trigger, x.scheduledFor])).toEqual([[2, 'calendar', '2021-01-01T00:00:00Z']]);
  });

  it('after a rebuild (approvals and locks replayed) no release is cut again and every release reads the same', async () => {
    const before = await Promise.all(['on-approval', 'on-lock', 'scheduled'].map(releasesOf));
    await p.rebuild();
    expect(await releaseDue()).toBe(0);
    await p.waitUntilCaughtUp();
    expect(await Promise.all(['on-approval', 'on-lock', 'scheduled'].map(releasesOf))).toEqual(before);
  });
});
