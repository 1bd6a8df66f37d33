import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountToken, bearer, startAuthPlatform, type AuthTestPlatform } from './auth-helpers';

/**
 * XLSX data entry forms: download pre-filled, fill, upload, with the same checks as POST /reports and a
 * DHIS2-shaped import summary. On the 2025 map commune 01840 is in province 19 (Thái Nguyên).
 */
const COMMUNE = '01840';
const PERIOD = '2026S1';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const LIMIT = 256 * 1024;

describe('XLSX forms', () => {
  let p: AuthTestPlatform;
  let officer: string;
  let reviewer: string;

  const download = (token: string, query: string) => p.app.inject({ method: 'GET', url: `/api/v1/forms/xlsx?${query}`, headers: bearer(token) });
  const upload = async (token: string, body: Buffer, query = '') => {
    const r = await p.app.inject({ method: 'POST', url: `/api/v1/forms/xlsx${query}`, payload: body, headers: { ...bearer(token), 'content-type': XLSX } });
    return { status: r.statusCode, body: r.json() as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const load = async (raw: Buffer): Promise<ExcelJS.Workbook> => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(raw as unknown as ExcelJS.Buffer);
    return wb;
  };
  /** the value cell of a data row, found by element and option combo */
  const valueCell = (sheet: ExcelJS.Worksheet, element: string, combo?: string): ExcelJS.Cell => {
    for (let r = 1; r <= sheet.rowCount; r++) {
      const row = sheet.getRow(r);
      if (row.getCell(1).value === element && (row.getCell(2).value ?? undefined) === combo) return row.getCell(7);
    }
    throw new Error(`no row ${element}.${combo ?? ''}`);
  };
  const metaOf = (sheet: ExcelJS.Worksheet, key: string): unknown => {
    for (let r = 1; r <= 10; r++) if (sheet.getRow(r).getCell(1).value === key) return sheet.getRow(r).getCell(2).value;
    return undefined;
  };
  const blankForm = async (): Promise<ExcelJS.Workbook> => {
    const r = await download(officer, `template=M1719_S&orgUnit=${COMMUNE}&period=${PERIOD}`);
    expect(r.statusCode).toBe(200);
    return load(r.rawPayload);
  };
  const bytes = async (wb: ExcelJS.Workbook): Promise<Buffer> => Buffer.from(await wb.xlsx.writeBuffer());

  beforeAll(async () => {
    p = await startAuthPlatform({ config: { importLimitBytes: LIMIT } });
    officer = await accountToken(p, 'cb.01840', 'commune_officer', COMMUNE);
    reviewer = await accountToken(p, 'rv.19', 'reviewer', '19');
  });
  afterAll(() => p.dispose());

  it('downloads the template in force as a form: one row per element and option combination, nothing filled yet', async () => {
    const r = await download(officer, `template=M1719_S&orgUnit=${COMMUNE}&period=${PERIOD}`);
    expect(r.headers['content-type']).toBe(XLSX);
    expect(String(r.headers['content-disposition'])).toContain('M1719_S-01840-2026S1.xlsx');
    const wb = await load(r.rawPayload);
    expect(wb.worksheets.map((s) => s.name)).toEqual([COMMUNE]);
    const sheet = wb.worksheets[0]!;
    expect(metaOf(sheet, 'template')).toBe('M1719_S');
    expect(metaOf(sheet, 'orgUnit')).toBe(COMMUNE);
    expect(metaOf(sheet, 'period')).toBe(PERIOD);
    expect(metaOf(sheet, 'reportVersion')).toBe(0);
    expect(valueCell(sheet, 'HH_TOTAL').value).toBeNull();
    expect(valueCell(sheet, 'CHILDREN_5Y', 'FEMALE').value).toBeNull();
    expect(valueCell(sheet, 'CAPITAL_ALLOCATED', 'CARRIED_OVER').value).toBeNull();
  });

  it('an upload is a submission through the same checks; the next download is pre-filled; text cells are formula-safe', async () => {
    const wb = await blankForm();
    const sheet = wb.worksheets[0]!;
    valueCell(sheet, 'HH_TOTAL').value = 1200;
    valueCell(sheet, 'HH_POOR').value = '150'; // typed as text: read as the element's type
    valueCell(sheet, 'CHILDREN_5Y', 'MALE').value = 10;
    valueCell(sheet, 'CHILDREN_5Y', 'FEMALE').value = 12;
    const hh = valueCell(sheet, 'HH_TOTAL');
    sheet.getRow(Number(hh.row)).getCell(8).value = '=HYPERLINK("http://x","số hộ")';
    const dry = await upload(officer, await bytes(wb), '?dryRun=true');
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ status: 'SUCCESS', dryRun: true, importCount: { imported: 4, updated: 0, ignored: 0, deleted: 0 } });
    expect((await blankForm()).worksheets[0]!.getCell('B5').value).toBe(0); // the dry run wrote nothing

    const done = await upload(officer, await bytes(wb));
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'SUCCESS', importCount: { imported: 4, updated: 0, ignored: 0, deleted: 0 }, conflicts: [] });
    expect(done.body.reports).toEqual([expect.objectContaining({ reportId: `report-M1719_S-${COMMUNE}-${PERIOD}`, action: 'submitted', version: 1 })]);

    const again = (await blankForm()).worksheets[0]!;
    expect(metaOf(again, 'reportVersion')).toBe(1);
    expect(valueCell(again, 'HH_TOTAL').value).toBe(1200);
    expect(valueCell(again, 'HH_POOR').value).toBe(150);
    expect(valueCell(again, 'CHILDREN_5Y', 'FEMALE').value).toBe(12);
    // the comment starting with '=' is written as text, never a formula
    expect(again.getRow(Number(valueCell(again, 'HH_TOTAL').row)).getCell(8).value).toBe(`'=HYPERLINK("http://x","số hộ")`);

    // the same workbook again changes nothing (no new version)
    const same = await upload(officer, await bytes(wb));
    expect(same.body).toMatchObject({ status: 'SUCCESS', importCount: { imported: 0, updated: 0, ignored: 4 } });
    expect(same.body.reports[0].action).toBe('unchanged');
  });

  it('an amendment needs a reason (query or the reason cell); refused values are conflicts with their cell', async () => {
    const wb = await blankForm();
    const sheet = wb.worksheets[0]!;
    valueCell(sheet, 'HH_TOTAL').value = 1300;
    const noReason = await upload(officer, await bytes(wb));
    expect(noReason.status).toBe(409);
    expect(noReason.body.status).toBe('ERROR');
    expect(noReason.body.error.code).toBe('IMPORT_CONFLICT');
    expect(noReason.body.conflicts).toEqual([expect.objectContaining({ errorCode: 'AMENDMENT_REASON_REQUIRED', sheet: COMMUNE })]);

    const withQuery = await upload(officer, await bytes(wb), '?reason=' + encodeURIComponent('Đếm lại số hộ'));
    expect(withQuery.body).toMatchObject({ status: 'SUCCESS', importCount: { updated: 1, ignored: 3 } });

    // this workbook was made from version 1; the report is at version 2 now: a stale form is refused, not applied
    valueCell(sheet, 'HH_TOTAL').value = 1310;
    const stale = await upload(officer, await bytes(wb), '?reason=late');
    expect(stale.status).toBe(409);
    expect(stale.body.conflicts).toEqual([expect.objectContaining({ errorCode: 'REPORT_VERSION_CONFLICT', sheet: COMMUNE })]);
    for (let r = 1; r <= 10; r++) if (sheet.getRow(r).getCell(1).value === 'reportVersion') sheet.getRow(r).getCell(2).value = 2;

    valueCell(sheet, 'HH_POOR').value = 'nhiều'; // not a number
    valueCell(sheet, 'CHILDREN_5Y', 'FEMALE').value = null; // cleared: removed from the report
    for (let r = 1; r <= 10; r++) if (sheet.getRow(r).getCell(1).value === 'reason') sheet.getRow(r).getCell(2).value = 'Sửa theo biên bản';
    const partial = await upload(officer, await bytes(wb));
    expect(partial.status).toBe(200);
    expect(partial.body.status).toBe('WARNING');
    expect(partial.body.importCount).toMatchObject({ updated: 1, deleted: 2, ignored: 2 });
    const poorCell = valueCell(sheet, 'HH_POOR').address;
    expect(partial.body.conflicts).toEqual([{ object: 'HH_POOR', value: 'nhiều', errorCode: 'INVALID_VALUE', sheet: COMMUNE, cell: poorCell, row: Number(valueCell(sheet, 'HH_POOR').row), indexes: [1] }]);
    const after = (await blankForm()).worksheets[0]!;
    expect(metaOf(after, 'reportVersion')).toBe(3);
    expect(valueCell(after, 'HH_TOTAL').value).toBe(1310);
    expect(valueCell(after, 'HH_POOR').value).toBeNull();
    expect(valueCell(after, 'CHILDREN_5Y', 'MALE').value).toBe(10);
  });

  it('a sheet for a unit outside the caller is refused; a reviewer gets one sheet per reporting unit, an officer may not', async () => {
    const r = await download(reviewer, `template=M1719_S&orgUnit=19&period=${PERIOD}&children=true`);
    expect(r.statusCode).toBe(200);
    const wb = await load(r.rawPayload);
    expect(wb.worksheets.length).toBeGreaterThan(50);
    expect(wb.worksheets.map((s) => s.name)).toContain(COMMUNE);
    expect(valueCell(wb.getWorksheet(COMMUNE)!, 'HH_TOTAL').value).toBe(1310);
    expect((await download(officer, `template=M1719_S&orgUnit=19&period=${PERIOD}&children=true`)).statusCode).toBe(403);
    expect((await download(reviewer, `template=M1719_S&orgUnit=19&period=${PERIOD}`)).json().error.code).toBe('ORG_UNIT_LEVEL_MISMATCH');

    const other = wb.worksheets.find((s) => s.name !== COMMUNE)!;
    valueCell(other, 'HH_TOTAL').value = 5;
    const single = new ExcelJS.Workbook();
    const copy = single.addWorksheet(other.name);
    other.eachRow((row, n) => row.eachCell((c, col) => (copy.getRow(n).getCell(col).value = c.value)));
    const refused = await upload(officer, await bytes(single));
    expect(refused.status).toBe(409);
    expect(refused.body.conflicts).toEqual([expect.objectContaining({ errorCode: 'FORBIDDEN', object: other.name })]);
    // a reviewer may read but not submit
    expect((await upload(reviewer, await bytes(single))).status).toBe(403);
  });

  it('refuses what is not a workbook (400 INVALID_FILE), another content type (415) and an oversized file (413 PAYLOAD_TOO_LARGE)', async () => {
    const junk = await upload(officer, Buffer.from('not a zip file at all'));
    expect(junk.status).toBe(400);
    expect(junk.body.error.code).toBe('INVALID_FILE');
    const json = await p.app.inject({ method: 'POST', url: '/api/v1/forms/xlsx', payload: { a: 1 }, headers: bearer(officer) });
    expect(json.statusCode).toBe(415);
    expect(json.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const big = await upload(officer, Buffer.alloc(LIMIT + 1, 1));
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
