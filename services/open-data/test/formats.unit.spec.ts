import { normalizeDefinition, type ReleaseCell } from '@tally/core';
import { createHttpApp, createLogger } from '@tally/runtime';
import { describe, expect, it } from 'vitest';
import { tableCsv } from '../src/formats/csv';
import { dataPackage } from '../src/formats/datapackage';
import { dcatCatalog } from '../src/formats/dcat';
import { sdmxCsv, sdmxJson, sdmxPeriod } from '../src/formats/sdmx';
import { installPublicHttp } from '../src/public-http';
import { recordOf } from '../src/table';

const hostile = '=HYPERLINK("http://evil","x")';
const def = normalizeDefinition({ id: 'units', title: { vi: `@SUM(A1)`, en: '+1+1' }, description: { vi: '-2', en: hostile }, templates: ['M1719_S'], keywords: ['=cmd'], publisher: { name: '=Publisher' } });
const cell: ReleaseCell = { hierarchy: '2025', unit: '01840', unitName: hostile, level: 'province', period: '2026S1', kind: 'element', item: 'HH_TOTAL', itemName: '\tTab', value: -5, conf: 'F' };

describe('every format neutralises spreadsheet formulas in user-controlled text', () => {
  it('CSV (with optional BOM), SDMX-CSV, JSON rows, SDMX-JSON, Data Package and DCAT', () => {
    const csv = tableCsv(def, [cell], false);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csv).toContain(`'\tTab`);
    expect(csv).toContain(',-5,'); // numbers stay numbers
    expect(tableCsv(def, [cell], true).startsWith('\uFEFF')).toBe(true);
    expect(sdmxCsv(def, [cell])).not.toMatch(/(^|,)=/m);
    expect(recordOf(def, cell)).toMatchObject({ province_name: `'${hostile}`, data_element_name: `'\tTab`, value: -5 });
    const sdmx = JSON.stringify(sdmxJson(def, [cell], { messageId: 'm', prepared: '2026-01-01T00:00:00Z', language: 'vi' }));
    expect(sdmx).toContain(JSON.stringify(`'${hostile}`));
    expect(sdmx).toContain(JSON.stringify(`'@SUM(A1)`));
    const pkg = JSON.stringify(dataPackage(def, 'http://x', null, null));
    expect(pkg).toContain(`"title":"'+1+1"`);
    expect(pkg).toContain(`"'=Publisher"`);
    const dcat = JSON.stringify(dcatCatalog('http://x', [{ def, releases: [], modified: null }]));
    expect(dcat).toContain(`"'=cmd"`);
    expect(dcat).not.toContain(`"=cmd"`);
  });

  it('SDMX periods: 2026S1 -> 2026-S1, 2026Q3 -> 2026-Q3, 202601 -> 2026-01, 2026 -> 2026', () => {
    expect(['2026S1', '2026Q3', '202601', '2026'].map(sdmxPeriod)).toEqual(['2026-S1', '2026-Q3', '2026-01', '2026']);
  });
});

describe('the public HTTP layer', () => {
  async function app(burst: number) {
    const a = createHttpApp({ logger: createLogger('test', 'silent') });
    await a.register(async (scope) => {
      installPublicHttp(scope, { burst, perSec: 1 });
      scope.get('/data', async () => ({ rows: Array.from({ length: 200 }, (_, i) => ({ i })) }));
    });
    return a;
  }

  it('gives each client IP its own budget: 429 RATE_LIMITED with Retry-After once it is spent, other IPs unaffected', async () => {
    const a = await app(2);
    const from = (ip: string) => a.inject({ method: 'GET', url: '/data', remoteAddress: ip });
    expect((await from('10.0.0.1')).statusCode).toBe(200);
    expect((await from('10.0.0.1')).statusCode).toBe(200);
    const refused = await from('10.0.0.1');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await from('10.0.0.2')).statusCode).toBe(200);
  });

  it('answers If-None-Match with 304 for the same content (a weak validator matches too), and compresses when asked', async () => {
    const a = await app(100);
    const first = await a.inject({ method: 'GET', url: '/data' });
    const etag = first.headers.etag as string;
    expect(first.headers['content-encoding']).toBeUndefined();
    expect((await a.inject({ method: 'GET', url: '/data', headers: { 'if-none-match': `"other", W/${etag}` } })).statusCode).toBe(304);
    expect((await a.inject({ method: 'GET', url: '/data', headers: { 'if-none-match': '"other"' } })).statusCode).toBe(200);
    const gz = await a.inject({ method: 'GET', url: '/data', headers: { 'accept-encoding': 'br, gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toContain('Accept-Encoding');
    expect(gz.headers.etag).toBe(`W/${etag}`);
    expect((await a.inject({ method: 'GET', url: '/data', headers: { 'accept-encoding': 'gzip', 'if-none-match': gz.headers.etag as string } })).statusCode).toBe(304);
  });
});
