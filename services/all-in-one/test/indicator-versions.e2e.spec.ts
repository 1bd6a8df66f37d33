import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCatalog } from '../src';
import { getJson, householdValues, startTestPlatform, submit, type TestPlatform } from './helpers';

/**
 * Catalog versions by legal basis: each version has an effective period range, and a report is validated
 * and computed against the version in force at its period's end. Publishing checks the whole catalog and
 * lists every problem.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const base = (): Json => demoCatalog() as Json;

/** Phase I of Program 1719: 2021-10-14 .. 2025-12-31. */
function phaseOne(): Json {
  return { ...base(), version: '2021.1', legalBasis: 'Quyết định 1719/QĐ-TTg', effectiveFrom: '2021-10-14', effectiveTo: '2025-12-31' };
}

/** The merged national target program from 2026: one more element, and poor <= total becomes a REJECT rule. */
function merged(): Json {
  const c = base();
  c.dataElements.push({ code: 'HH_NEAR_POOR', name: 'Số hộ cận nghèo', valueType: 'INTEGER', aggregation: 'SUM', unit: 'hộ' });
  c.templates.find((t: Json) => t.code === 'M1719_S').dataElements.push('HH_NEAR_POOR');
  c.validationRules.find((r: Json) => r.code === 'POOR_LE_TOTAL').onViolation = 'REJECT';
  return { ...c, version: '2026.1', legalBasis: 'Chương trình MTQG hợp nhất 2026-2035', effectiveFrom: '2026-01-01' };
}

describe('catalog versions by legal basis', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform({ withCatalog: false });
  });
  afterAll(() => p.dispose());

  it('refuses a catalog with every problem listed (422 INVALID_CATALOG, details.problems)', async () => {
    const bad = phaseOne();
    bad.version = 'broken.1';
    bad.dataElements.push({ code: 'HH_TOTAL', name: 'again', valueType: 'INTEGER', aggregation: 'SUM' }); // duplicate
    bad.indicators.push({ code: 'BROKEN', name: 'x', numerator: '#{NO_SUCH} +', denominator: '#{HH_TOTAL}', factor: 100 }); // syntax
    bad.indicators.push({ code: 'UNKNOWN_REF', name: 'x', numerator: '#{NO_SUCH}', denominator: '1', factor: 1 }); // unknown reference
    bad.templates.push({ code: 'EMPTY', name: 'x', periodType: 'YEARLY', reportingLevel: 'commune', dataElements: [], deadlineDaysAfterPeriodEnd: 1 });
    bad.dataElements[0].aggregationType = 'SUM'; // typo of a field
    bad.effectiveFrom = '2026-01-01'; // after effectiveTo
    const r = await p.app.inject({ method: 'PUT', url: '/api/v1/catalog', payload: bad });
    expect(r.statusCode).toBe(422);
    const body = r.json();
    expect(body.error.code).toBe('INVALID_CATALOG');
    const codes = body.error.details.problems.map((x: Json) => x.code).sort();
    expect(codes).toEqual(expect.arrayContaining(['DUPLICATE_CODE', 'FORMULA_SYNTAX', 'UNKNOWN_REFERENCE', 'EMPTY_TEMPLATE', 'UNKNOWN_FIELD', 'INVALID_DATE_RANGE']));
    const syntax = body.error.details.problems.find((x: Json) => x.code === 'FORMULA_SYNTAX');
    expect(syntax.path).toMatch(/^indicators\[\d+\]\.numerator$/);
    expect(typeof syntax.position).toBe('number');
    // nothing was published
    expect((await getJson(p, '/api/v1/catalog/versions')).body).toEqual([]);
  });

  it('publishes two versions with their effective ranges', async () => {
    for (const c of [phaseOne(), merged()]) {
      const r = await p.app.inject({ method: 'PUT', url: '/api/v1/catalog', payload: c });
      expect(r.statusCode, r.body).toBe(201);
    }
    const versions = await getJson(p, '/api/v1/catalog/versions');
    expect(versions.body).toEqual([
      { version: '2021.1', legalBasis: 'Quyết định 1719/QĐ-TTg', effectiveFrom: '2021-10-14', effectiveTo: '2025-12-31' },
      { version: '2026.1', legalBasis: 'Chương trình MTQG hợp nhất 2026-2035', effectiveFrom: '2026-01-01', effectiveTo: null },
    ]);
    expect((await getJson(p, '/api/v1/catalog?date=2024-12-31')).body.version).toBe('2021.1');
    expect((await getJson(p, '/api/v1/catalog?date=2026-06-30')).body.version).toBe('2026.1');
    // the same content again is a no-op; other content under a published version is a conflict
    expect((await p.app.inject({ method: 'PUT', url: '/api/v1/catalog', payload: phaseOne() })).statusCode).toBe(200);
    const changed = { ...phaseOne(), legalBasis: 'something else' };
    const conflict = await p.app.inject({ method: 'PUT', url: '/api/v1/catalog', payload: changed });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.code).toBe('CATALOG_VERSION_EXISTS');
  });

  it('validates a 2024 report against the 1719 catalog and a 2026 report against the merged one', async () => {
    const nearPoor = [{ dataElement: 'HH_NEAR_POOR', value: 7 }];
    // 2024S2 is read on the pre-2025 map, where 05611 is Thị trấn Đu (Phú Lương); 2026S1 on the 2025 map (Xã Phú Lương)
    const old = await submit(p, { orgUnit: '05611', period: '2024S2', submissionId: 'v-old-1', values: householdValues(100, 10, nearPoor) });
    expect(old.status).toBe(422);
    expect(old.body.error.code).toBe('UNKNOWN_DATA_ELEMENT');
    // poor > total is only a warning under the 1719 catalog: accepted, violation recorded
    const warn = await submit(p, { orgUnit: '05611', period: '2024S2', submissionId: 'v-old-2', values: householdValues(100, 120) });
    expect(warn.status).toBe(202);
    await p.waitUntilCaughtUp();
    const report2024 = await getJson(p, `/api/v1/reports/${warn.body.reportId}`);
    expect(report2024.body.catalogVersion).toBe('2021.1');

    // 2026: the new element is known, and poor > total is refused
    const ok = await submit(p, { orgUnit: '05611', period: '2026S1', submissionId: 'v-new-1', values: householdValues(100, 10, nearPoor) });
    expect(ok.status).toBe(202);
    await p.waitUntilCaughtUp();
    const report2026 = await getJson(p, `/api/v1/reports/${ok.body.reportId}`);
    expect(report2026.body.catalogVersion).toBe('2026.1');
    const refused = await submit(p, { orgUnit: '05443', period: '2026S1', submissionId: 'v-new-2', values: householdValues(100, 120) });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('VALIDATION_RULE_VIOLATED');
    expect(refused.body.error.details.violations).toEqual([
      expect.objectContaining({ kind: 'RULE', rule: 'POOR_LE_TOTAL', onViolation: 'REJECT', left: 120, operator: '<=', right: 100 }),
    ]);
    expect((await getJson(p, `/api/v1/reports/report-M1719_S-05443-2026S1`)).status).toBe(404);

    // the warning of the 2024 report is an event, in the alerts of the unit
    await p.waitUntilCaughtUp();
    const alerts = await getJson(p, '/api/v1/alerts?orgUnit=05611');
    expect(alerts.body.violations).toHaveLength(1);
    expect(alerts.body.violations[0]).toMatchObject({ reportId: warn.body.reportId, period: '2024S2' });
    expect(alerts.body.violations[0].violations.map((v: Json) => v.rule)).toEqual(['POOR_LE_TOTAL']);
    // rollups compute with each period's catalog
    const rollup = await getJson(p, '/api/v1/rollups?orgUnit=05611&period=2026S1');
    expect(rollup.body.dataElements.HH_NEAR_POOR).toBe(7);
  });
});
