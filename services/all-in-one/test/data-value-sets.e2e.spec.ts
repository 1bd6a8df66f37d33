import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountToken, bearer, startAuthPlatform, type AuthTestPlatform } from './auth-helpers';
import { startTestPlatform, type TestPlatform } from './helpers';

/**
 * DHIS2 data value sets in and out: the hand-written files of fixtures/dhis2 (DHIS2's documented shapes) import,
 * amendments need a reason, conflicts name object, value and row, a re-sent file changes nothing, and an export
 * imported into a fresh deployment gives identical rollups. Province 19 on the 2025 map, period 2026S1.
 */
const fixture = (name: string): Buffer => readFileSync(join(__dirname, 'fixtures', 'dhis2', name));
const TYPES = { json: 'application/json', csv: 'application/csv', adx: 'application/adx+xml', xml: 'application/xml' } as const;

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

async function post(p: TestPlatform, body: Buffer | string, type: string, query = '', token?: string) {
  const r = await p.app.inject({ method: 'POST', url: `/api/v1/dataValueSets${query}`, payload: body, headers: { 'content-type': type, ...(token ? bearer(token) : {}) } });
  return { status: r.statusCode, body: r.json() as Json, headers: r.headers };
}

async function rollup(p: TestPlatform, orgUnit: string, token?: string): Promise<Json> {
  await p.waitUntilCaughtUp();
  const r = await p.app.inject({ method: 'GET', url: `/api/v1/rollups?orgUnit=${orgUnit}&period=2026S1`, headers: token ? bearer(token) : {} });
  expect(r.statusCode).toBe(200);
  const { dataElements, indicators } = r.json() as Json;
  return { dataElements, indicators };
}

describe('DHIS2 data value sets', () => {
  let p: AuthTestPlatform;
  let clerk: string;
  let outsider: string;
  let fresh: TestPlatform | undefined;

  beforeAll(async () => {
    p = await startAuthPlatform();
    clerk = await accountToken(p, 'clerk.19', 'commune_officer', '19');
    outsider = await accountToken(p, 'clerk.01', 'commune_officer', '01');
  });
  afterAll(async () => {
    await p.dispose();
    await fresh?.dispose();
  });

  it('imports DHIS2-shaped files: JSON (set and bulk), CSV in DHIS2 column order, ADX and DXF2 XML', async () => {
    const json = await post(p, fixture('datavalueset.json'), TYPES.json, '', clerk);
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({ responseType: 'ImportSummary', status: 'SUCCESS', importCount: { imported: 4, updated: 0, ignored: 0, deleted: 0 }, conflicts: [] });
    expect(json.body.reports).toEqual([expect.objectContaining({ reportId: 'report-M1719_S-01840-2026S1', action: 'submitted', version: 1 })]);

    const bulk = await post(p, fixture('datavalueset-bulk.json'), TYPES.json, '', clerk);
    expect(bulk.body).toMatchObject({ status: 'SUCCESS', importCount: { imported: 4 } });
    expect(bulk.body.reports.map((r: Json) => r.reportId)).toEqual(['report-M1719_S-01843-2026S1', 'report-M1719_S-05443-2026S1']);

    const csv = await post(p, fixture('datavalueset.csv'), TYPES.csv, '', clerk);
    expect(csv.body).toMatchObject({ status: 'SUCCESS', importCount: { imported: 4 } });

    // ADX: 01843 already has a report: the new value is an amendment, so it needs a reason
    const adxNoReason = await post(p, fixture('adx.xml'), TYPES.adx, '', clerk);
    expect(adxNoReason.status).toBe(200);
    expect(adxNoReason.body).toMatchObject({ status: 'WARNING', importCount: { imported: 6, ignored: 1 } });
    expect(adxNoReason.body.conflicts).toEqual([expect.objectContaining({ object: 'report-M1719_S-01843-2026S1', errorCode: 'AMENDMENT_REASON_REQUIRED' })]);
    const adx = await post(p, fixture('adx.xml'), TYPES.adx, '?reason=' + encodeURIComponent('Bổ sung giải ngân'), clerk);
    expect(adx.body).toMatchObject({ status: 'SUCCESS', importCount: { imported: 1, ignored: 6 } });

    const dxf = await post(p, fixture('datavalueset.xml'), TYPES.xml, '', clerk);
    expect(dxf.body).toMatchObject({ status: 'SUCCESS', importCount: { imported: 3 } });

    const r = await rollup(p, '19', p.adminToken);
    expect(r.dataElements).toMatchObject({ HH_TOTAL: 1200 + 900 + 1500 + 700 + 1100, HH_POOR: 150 + 95 + 60 + 88 + 130, 'CHILDREN_5Y.MALE': 72, 'CAPITAL_DISBURSED.CENTRAL': 410 + 16 }); // 2026S1 holds the quarterly 2026Q1 too
  });

  it('a re-sent file changes nothing; an amendment needs a reason; dryRun writes nothing', async () => {
    const head = await p.platform.store.headPosition();
    const again = await post(p, fixture('datavalueset.json'), TYPES.json, '', clerk);
    expect(again.body).toMatchObject({ status: 'SUCCESS', importCount: { imported: 0, updated: 0, ignored: 4 } });
    expect(await p.platform.store.headPosition()).toBe(head);

    const changed = JSON.parse(fixture('datavalueset.json').toString()) as Json;
    changed.dataValues[0].value = '1250';
    const noReason = await post(p, Buffer.from(JSON.stringify(changed)), TYPES.json, '', clerk);
    expect(noReason.status).toBe(409);
    expect(noReason.body).toMatchObject({ status: 'ERROR', error: { code: 'IMPORT_CONFLICT' }, importCount: { ignored: 4 } });
    const dry = await post(p, Buffer.from(JSON.stringify(changed)), TYPES.json, '?dryRun=true&reason=recount', clerk);
    expect(dry.body).toMatchObject({ status: 'SUCCESS', dryRun: true, importCount: { updated: 1, ignored: 3 } });
    expect(await p.platform.store.headPosition()).toBe(head);
    const amended = await post(p, Buffer.from(JSON.stringify(changed)), TYPES.json, '?reason=recount', clerk);
    expect(amended.body).toMatchObject({ status: 'SUCCESS', importCount: { updated: 1, ignored: 3 } });
    expect(amended.body.reports[0]).toMatchObject({ action: 'amended', version: 2 });
  });

  it('conflicts carry the object, the value and the row; the rest of the file imports', async () => {
    const csv = [
      'dataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,lastupdated,comment,followup',
      'HH_TOTAL,2026S1,05482,,,800,,,,',
      'NO_SUCH_THING,2026S1,05482,,,1,,,,',
      'HH_POOR,2026S1,05482,,,nhiều,,,,',
      'HH_TOTAL,2026S1,99999,,,5,,,,',
      'CHILDREN_5Y,2026S1,05482,OTHER,,5,,,,',
    ].join('\r\n');
    const r = await post(p, csv, TYPES.csv, '', clerk);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'WARNING', importCount: { imported: 1, ignored: 4 } });
    const byCode = Object.fromEntries(r.body.conflicts.map((c: Json) => [c.errorCode + ':' + c.object, c]));
    expect(byCode['UNKNOWN_DATA_ELEMENT:NO_SUCH_THING']).toMatchObject({ row: 3, indexes: [1] });
    expect(byCode['INVALID_VALUE:HH_POOR']).toMatchObject({ value: 'nhiều', row: 4, indexes: [2] });
    expect(byCode['UNKNOWN_ORG_UNIT:99999']).toMatchObject({ row: 5 });
    expect(byCode['INVALID_VALUE:CHILDREN_5Y.OTHER']).toMatchObject({ row: 6 });
  });

  it('refuses units outside the caller, malformed files (400 INVALID_FILE / MALFORMED_JSON) and other content types (415)', async () => {
    const r = await post(p, fixture('datavalueset.json'), TYPES.json, '?dryRun=true', outsider);
    expect(r.status).toBe(409);
    expect(r.body.conflicts[0]).toMatchObject({ errorCode: 'FORBIDDEN', object: '01840' });
    expect((await post(p, '<adx><group', TYPES.adx, '', clerk)).body.error.code).toBe('INVALID_FILE');
    expect((await post(p, '<html/>', TYPES.xml, '', clerk)).body.error.code).toBe('INVALID_FILE');
    expect((await post(p, '{"dataValues": 3}', TYPES.json, '', clerk)).body.error.code).toBe('INVALID_FILE');
    expect((await post(p, '{"dataValues": [', TYPES.json, '', clerk)).body.error.code).toBe('MALFORMED_JSON');
    const other = await post(p, 'x', 'text/plain', '', clerk);
    expect(other.status).toBe(415);
    expect((await p.app.inject({ method: 'GET', url: '/api/v1/dataValueSets?dataSet=M1719_S&period=2026S1&orgUnit=19', headers: bearer(outsider) })).statusCode).toBe(403);
  });

  it('async=true answers a job at once; the job shows progress and, when done, the summary', async () => {
    const r = await post(p, fixture('datavalueset-bulk.json'), TYPES.json, '?async=true&dryRun=true', clerk);
    expect(r.status).toBe(202);
    const url = r.body.response.relativeNotifierEndpoint as string;
    expect(url).toBe(`/api/v1/dataValueSets/jobs/${r.headers['x-tally-import-job']}`);
    let job: Json;
    for (let i = 0; i < 500; i++) {
      job = (await p.app.inject({ method: 'GET', url, headers: bearer(clerk) })).json();
      if (job.phase === 'done') break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(job).toMatchObject({ phase: 'done', valuesRead: 4, reportsTotal: 2, reportsDone: 2, summary: { status: 'SUCCESS', importCount: { ignored: 4 } } });
    expect((await p.app.inject({ method: 'GET', url, headers: bearer(outsider) })).statusCode).toBe(403);
  });

  it('exports JSON, CSV (DHIS2 columns) and ADX; each imported into a fresh deployment gives identical rollups', async () => {
    const reference = await rollup(p, '19', p.adminToken);
    const exported: Record<string, Array<{ body: string; type: string }>> = { json: [], csv: [], adx: [] };
    // 2026S1 rolls up the six-monthly reports and the quarterly ones of 2026Q1 (the DXF2 file): export both
    for (const set of ['dataSet=M1719_S&period=2026S1', 'dataSet=M1719_Q_CAPITAL&period=2026Q1']) {
      for (const [format, accept] of [['json', 'application/json'], ['csv', 'application/csv'], ['adx', 'application/adx+xml']] as const) {
        const r = await p.app.inject({ method: 'GET', url: `/api/v1/dataValueSets?${set}&orgUnit=19&children=true`, headers: { ...bearer(clerk), accept } });
        expect(r.statusCode).toBe(200);
        expect(String(r.headers['content-type'])).toContain(format === 'json' ? 'application/json' : format === 'csv' ? 'application/csv' : 'application/adx+xml');
        exported[format]!.push({ body: r.body, type: accept });
      }
    }
    const [sixMonthly] = exported.csv!;
    expect(sixMonthly!.body.split('\r\n')[0]).toBe('\uFEFFdataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,lastupdated,comment,followup');
    expect(exported.adx![0]!.body).toContain('<group orgUnit="05467" period="2026-01-01/P6M" dataSet="M1719_S"');
    expect(exported.adx![0]!.body).toContain('<dataValue dataElement="CHILDREN_5Y" SEX="MALE" value="32"/>');
    expect(exported.adx![1]!.body).toContain('period="2026-01-01/P3M" dataSet="M1719_Q_CAPITAL"');
    const asJson = JSON.parse(exported.json![0]!.body) as Json;
    expect(asJson.dataValues.find((v: Json) => v.orgUnit === '01840' && v.dataElement === 'HH_TOTAL')).toMatchObject({ value: '1250', categoryOptionCombo: 'default', storedBy: 'clerk.19', comment: 'Số liệu rà soát tháng 6' });
    expect(asJson.dataValues.every((v: Json) => v.dataSet === 'M1719_S' && v.period === '2026S1')).toBe(true);

    for (const format of ['json', 'csv', 'adx'] as const) {
      fresh = await startTestPlatform();
      for (const file of exported[format]!) {
        const r = await post(fresh, file.body, file.type);
        expect(r.body.status, JSON.stringify(r.body.conflicts)).toBe('SUCCESS');
      }
      expect(await rollup(fresh, '19')).toEqual(reference);
      await fresh.dispose();
      fresh = undefined;
    }
  });

  it('idScheme=uid: exported with DHIS2-shaped UIDs, imported back by them', async () => {
    const r = await p.app.inject({ method: 'GET', url: '/api/v1/dataValueSets?dataSet=M1719_S&period=2026S1&orgUnit=19&children=true&idScheme=uid&format=json', headers: bearer(clerk) });
    const doc = JSON.parse(r.body) as Json;
    expect(doc.dataValues.length).toBeGreaterThan(10);
    for (const v of doc.dataValues) for (const k of ['dataSet', 'dataElement', 'orgUnit', 'categoryOptionCombo']) expect(v[k]).toMatch(/^[a-zA-Z][a-zA-Z0-9]{10}$/);
    const back = await post(p, Buffer.from(r.body), TYPES.json, '?idScheme=uid&dryRun=true', clerk);
    expect(back.body).toMatchObject({ status: 'SUCCESS', importCount: { imported: 0, updated: 0, ignored: doc.dataValues.length } });
    const byCode = await post(p, Buffer.from(r.body), TYPES.json, '?idScheme=code&dryRun=true', clerk);
    expect(byCode.body.status).toBe('ERROR');
  });
});
