import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realRegistry, startTestPlatform, type TestPlatform } from './helpers';

/**
 * A 100,000-value DHIS2 CSV (every commune of the 2025 map, two half-years, 16 values each), sent as a stream:
 * it is read as it arrives, set aside by report, and imported report by report (a dry run: every check and
 * decision, no append), with progress visible while it runs.
 */
describe('a 100,000-value data value set', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform();
  });
  afterAll(() => p.dispose());

  it('streams in, is imported report by report, and counts every value; its job records the progress', async () => {
    const hierarchy = realRegistry().get('2025')!;
    const communes = hierarchy.units('commune').map((u) => u.code);
    const row = (c: string, period: string, de: string, coc: string, v: number) => `${de},${period},${c},${coc},,${v},,,,\r\n`;
    let produced = 0;
    function* csv(): Generator<string> {
      yield 'dataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,lastupdated,comment,followup\r\n';
      for (const period of ['2026S1', '2026S2']) {
        for (const c of communes) {
          let chunk = '';
          for (const de of ['HH_TOTAL', 'HH_POOR', 'HH_EM', 'HH_EM_POOR', 'HH_ELECTRICITY', 'HH_CLEAN_WATER', 'POP_TOTAL', 'POP_INSURED']) chunk += row(c, period, de, '', 50);
          for (const s of ['MALE', 'FEMALE']) chunk += row(c, period, 'CHILDREN_5Y', s, 9) + row(c, period, 'CHILDREN_5Y_PRESCHOOL', s, 7);
          for (const f of ['CENTRAL', 'LOCAL', 'CARRIED_OVER']) chunk += row(c, period, 'CAPITAL_ALLOCATED', f, 100);
          chunk += row(c, period, 'CAPITAL_DISBURSED', 'CENTRAL', 60);
          produced += 16;
          yield chunk;
        }
      }
    }
    const total = communes.length * 2 * 16;
    expect(total).toBeGreaterThanOrEqual(100_000);
    const request = p.app.inject({ method: 'POST', url: '/api/v1/dataValueSets?dryRun=true', payload: Readable.from(csv()), headers: { 'content-type': 'application/csv' } });
    const r = await request;
    expect(r.statusCode).toBe(200);
    expect(produced).toBe(total);
    const summary = r.json() as { status: string; importCount: Record<string, number>; reports: unknown[] };
    expect(summary.status).toBe('SUCCESS');
    expect(summary.importCount).toEqual({ imported: total, updated: 0, ignored: 0, deleted: 0 });
    expect(summary.reports).toHaveLength(communes.length * 2);
    const job = await p.app.inject({ method: 'GET', url: `/api/v1/dataValueSets/jobs/${String(r.headers['x-tally-import-job'])}` });
    expect(job.json()).toMatchObject({ phase: 'done', valuesRead: total, reportsTotal: communes.length * 2, reportsDone: communes.length * 2 });
  }, 300_000);
});
