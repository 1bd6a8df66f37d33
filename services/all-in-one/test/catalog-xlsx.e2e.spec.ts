import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCatalog } from '../src';
import { accountToken, bearer, startAuthPlatform, type AuthTestPlatform } from './auth-helpers';

/**
 * The catalog as a workbook: download a version, edit it, publish it from the upload through the same command as
 * PUT /catalog; every problem of a bad workbook listed with its sheet, row and column.
 */
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const LIMIT = 256 * 1024;

describe('catalog XLSX', () => {
  let p: AuthTestPlatform;
  let reviewer: string;
  let provinceAdmin: string;

  const download = (token: string | undefined, query = '') => p.app.inject({ method: 'GET', url: `/api/v1/catalog/xlsx${query}`, headers: token ? bearer(token) : {} });
  const upload = async (token: string | undefined, body: Buffer | string, contentType = XLSX) => {
    const r = await p.app.inject({ method: 'PUT', url: '/api/v1/catalog/xlsx', payload: body, headers: { ...(token ? bearer(token) : {}), 'content-type': contentType } });
    return { status: r.statusCode, body: r.json() as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const load = async (raw: Buffer): Promise<ExcelJS.Workbook> => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(raw as unknown as ExcelJS.Buffer);
    return wb;
  };
  const bytes = async (wb: ExcelJS.Workbook): Promise<Buffer> => Buffer.from(await wb.xlsx.writeBuffer());
  /** the row of a sheet whose column A holds `key` */
  const rowOf = (sheet: ExcelJS.Worksheet, key: string): ExcelJS.Row => {
    for (let r = 1; r <= sheet.rowCount; r++) if (sheet.getRow(r).getCell(1).value === key) return sheet.getRow(r);
    throw new Error(`no row ${key} in ${sheet.name}`);
  };
  const columnOf = (sheet: ExcelJS.Worksheet, field: string): number => {
    let found = 0;
    sheet.getRow(1).eachCell((c, col) => {
      if (c.value === field) found = col;
    });
    if (!found) throw new Error(`no column ${field} in ${sheet.name}`);
    return found;
  };
  const current = async (): Promise<ExcelJS.Workbook> => {
    const r = await download(p.adminToken);
    expect(r.statusCode).toBe(200);
    return load(r.rawPayload);
  };

  beforeAll(async () => {
    p = await startAuthPlatform({ config: { importLimitBytes: LIMIT } });
    reviewer = await accountToken(p, 'rv.19', 'reviewer', '19');
    provinceAdmin = await accountToken(p, 'admin.19', 'central_admin', '19');
  });
  afterAll(() => p.dispose());

  it('downloads the version in force as a workbook: a sheet per list of the catalog, any signed-in account may', async () => {
    const r = await download(reviewer);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe(XLSX);
    const version = (demoCatalog() as { version: string }).version;
    expect(String(r.headers['content-disposition'])).toContain(`catalog-${version}.xlsx`);
    const wb = await load(r.rawPayload);
    expect(wb.worksheets.map((s) => s.name)).toEqual(
      expect.arrayContaining(['catalog', 'dataElements', 'indicators', 'templates', 'templateDataElements', 'validationRules', 'categoryOptions']),
    );
    expect(rowOf(wb.getWorksheet('catalog')!, 'version').getCell(2).value).toBe(version);
    const elements = (demoCatalog() as { dataElements: unknown[] }).dataElements;
    expect(wb.getWorksheet('dataElements')!.actualRowCount).toBe(elements.length + 1);
    expect((await download(undefined)).statusCode).toBe(401);
    expect((await download(reviewer, '?version=nope')).statusCode).toBe(404);
  });

  it('takes back the unchanged download of a version published as JSON: the same content, 200, nothing new', async () => {
    const r = await upload(p.adminToken, await bytes(await current()));
    expect(r.status).toBe(200);
    expect(r.body.created).toBe(false);
  });

  it('publishes an edited download as a new version, answered as PUT /catalog answers', async () => {
    const wb = await current();
    rowOf(wb.getWorksheet('catalog')!, 'version').getCell(2).value = 'xlsx.2';
    const de = wb.getWorksheet('dataElements')!;
    const name = de.getRow(2).getCell(columnOf(de, 'name'));
    name.value = 'Tổng số hộ (sửa từ Excel)';
    const r = await upload(p.adminToken, await bytes(wb));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ version: 'xlsx.2', created: true });
    expect(r.body.governs).toBeInstanceOf(Array);
    const published = (await p.app.inject({ method: 'GET', url: '/api/v1/catalog?version=xlsx.2', headers: bearer(p.adminToken) })).json() as { dataElements: Array<{ name: string }> };
    expect(published.dataElements[0]!.name).toBe('Tổng số hộ (sửa từ Excel)');
    // the same version with the same content again: 200, nothing new; with other content: 409
    const again = await upload(p.adminToken, await bytes(wb));
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
    name.value = 'khác';
    const other = await upload(p.adminToken, await bytes(wb));
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('CATALOG_VERSION_EXISTS');
  });

  it('refuses a bad workbook with every problem listed by sheet, row and column, and publishes nothing', async () => {
    const before = (await p.app.inject({ method: 'GET', url: '/api/v1/catalog/versions', headers: bearer(p.adminToken) })).json() as unknown[];
    const wb = await current();
    rowOf(wb.getWorksheet('catalog')!, 'version').getCell(2).value = 'xlsx.bad';
    const de = wb.getWorksheet('dataElements')!;
    const vt = columnOf(de, 'valueType');
    de.getRow(3).getCell(vt).value = 'INTEGR';
    const tde = wb.getWorksheet('templateDataElements')!;
    tde.getRow(tde.rowCount + 1).values = ['M1719_S', 'NO_SUCH_ELEMENT'];
    const r = await upload(p.adminToken, await bytes(wb));
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('INVALID_CATALOG');
    const problems = r.body.error.details.problems as Array<{ code: string; sheet: string; row: number; column: string; cell: string }>;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'INVALID_FIELD', sheet: 'dataElements', row: 3, column: de.getColumn(vt).letter, field: 'valueType' }),
        expect.objectContaining({ code: 'UNKNOWN_REFERENCE', sheet: 'templateDataElements', row: tde.rowCount, column: 'B' }),
      ]),
    );
    const after = (await p.app.inject({ method: 'GET', url: '/api/v1/catalog/versions', headers: bearer(p.adminToken) })).json() as unknown[];
    expect(after).toHaveLength(before.length);
  });

  it('answers a file that is not a workbook, the wrong media type and an oversized upload with their codes', async () => {
    const notXlsx = await upload(p.adminToken, Buffer.from('PK this is not a zip'));
    expect(notXlsx.status).toBe(400);
    expect(notXlsx.body.error.code).toBe('INVALID_FILE');
    const json = await upload(p.adminToken, JSON.stringify(demoCatalog()), 'text/csv');
    expect(json.status).toBe(415);
    expect(json.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const big = await upload(p.adminToken, Buffer.alloc(LIMIT + 1, 1));
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('lets only national catalog publishers publish: a reviewer, a provincial admin and anonymous are refused', async () => {
    const wb = await current();
    rowOf(wb.getWorksheet('catalog')!, 'version').getCell(2).value = 'xlsx.3';
    const body = await bytes(wb);
    expect((await upload(reviewer, body)).body.error.code).toBe('FORBIDDEN');
    expect((await upload(provinceAdmin, body)).body.error.code).toBe('FORBIDDEN');
    expect((await upload(undefined, body)).status).toBe(401);
    const versions = (await p.app.inject({ method: 'GET', url: '/api/v1/catalog/versions', headers: bearer(p.adminToken) })).json() as Array<{ version: string }>;
    expect(versions.map((v) => v.version)).not.toContain('xlsx.3');
  });
});
