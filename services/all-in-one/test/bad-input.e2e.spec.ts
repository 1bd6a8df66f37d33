import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, householdValues, startTestPlatform, type TestPlatform } from './helpers';

/**
 * Every kind of bad input gets a 4xx with its own machine-readable code, and leaves no trace:
 * no report, no rollup change, no notification.
 */
describe('bad input', () => {
  let p: TestPlatform;
  const good = { template: 'M1719_S', orgUnit: '05611', period: '2026S1', submissionId: 'ok-1', values: householdValues(100, 10) };

  beforeAll(async () => {
    p = await startTestPlatform();
  });
  afterAll(() => p.dispose());

  const post = (payload: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    p.app.inject({ method: 'POST', url: '/api/v1/reports', payload: typeof payload === 'string' ? payload : JSON.stringify(payload), headers });

  const cases: Array<[string, () => unknown, number, string, Record<string, string>?]> = [
    ['malformed JSON', () => '{"template": "M1719_S", ', 400, 'MALFORMED_JSON'],
    ['empty body', () => '', 400, 'MALFORMED_JSON'],
    ['a value of the wrong type', () => ({ ...good, values: [{ dataElement: 'HH_TOTAL', value: { $gt: 1 } }] }), 400, 'INVALID_REQUEST'],
    ['a missing field', () => ({ ...good, submissionId: undefined }), 400, 'INVALID_REQUEST'],
    ['an unknown field', () => ({ ...good, extra: 1 }), 400, 'INVALID_REQUEST'],
    ['a prototype-polluting body', () => '{"template":"M1719_S","__proto__":{"admin":true}}', 400, 'INVALID_REQUEST'],
    ['an unknown unit', () => ({ ...good, orgUnit: '99999' }), 422, 'UNKNOWN_ORG_UNIT'],
    ['an unknown template', () => ({ ...good, template: 'NO_SUCH' }), 422, 'UNKNOWN_TEMPLATE'],
    ['an unknown data element', () => ({ ...good, values: [{ dataElement: 'NO_SUCH', value: 1 }] }), 422, 'UNKNOWN_DATA_ELEMENT'],
    ['an element outside the template', () => ({ ...good, template: 'M1719_Q_CAPITAL', period: '2026Q1', values: [{ dataElement: 'HH_TOTAL', value: 1 }] }), 422, 'ELEMENT_NOT_IN_TEMPLATE'],
    ['an invalid period', () => ({ ...good, period: '2026Q5' }), 422, 'INVALID_PERIOD'],
    ['a period that does not fit the template', () => ({ ...good, period: '2026Q1' }), 422, 'PERIOD_TEMPLATE_MISMATCH'],
    ['a commune template sent for a province', () => ({ ...good, orgUnit: '19' }), 422, 'ORG_UNIT_LEVEL_MISMATCH'],
    ['a fractional count', () => ({ ...good, values: [{ dataElement: 'HH_TOTAL', value: 1.5 }] }), 422, 'INVALID_VALUE'],
    ['a value given twice', () => ({ ...good, values: [{ dataElement: 'HH_TOTAL', value: 1 }, { dataElement: 'HH_TOTAL', value: 2 }] }), 422, 'DUPLICATE_DATA_VALUE'],
    ['an unknown disaggregation', () => ({ ...good, values: [{ dataElement: 'CHILDREN_5Y', optionCombo: 'OTHER', value: 2 }] }), 422, 'INVALID_VALUE'],
    ['an oversized body', () => ({ ...good, values: householdValues(1, 1), reason: 'x'.repeat(1000), padding: 'y'.repeat(3 * 1024 * 1024) }), 413, 'PAYLOAD_TOO_LARGE'],
    ['a body that is not JSON', () => 'template=M1719_S', 415, 'UNSUPPORTED_MEDIA_TYPE', { 'content-type': 'application/x-www-form-urlencoded' }],
  ];

  it.each(cases)('refuses %s with its own code', async (_name, payload, status, code, headers) => {
    const r = await post(payload(), headers);
    expect(r.statusCode).toBe(status);
    expect(r.json().error.code).toBe(code);
    expect(typeof r.json().error.message).toBe('string');
  });

  it('refuses an amendment without a reason, and lists every problem of a bad report', async () => {
    expect((await post(good)).statusCode).toBe(202);
    const amendment = await post({ ...good, submissionId: 'ok-2', values: householdValues(120, 10) });
    expect(amendment.statusCode).toBe(422);
    expect(amendment.json().error.code).toBe('AMENDMENT_REASON_REQUIRED');
    const many = await post({ ...good, submissionId: 'bad-3', orgUnit: '99999', values: [{ dataElement: 'NO_SUCH', value: 1 }] });
    expect(many.json().error.details.problems.map((x: { code: string }) => x.code)).toEqual(['UNKNOWN_ORG_UNIT', 'UNKNOWN_DATA_ELEMENT']);
  });

  it('refuses a submissionId reused for other content', async () => {
    const r = await post({ ...good, values: householdValues(999, 10), reason: 'again' });
    expect(r.statusCode).toBe(409);
    expect(r.json().error.code).toBe('SUBMISSION_ID_REUSED');
  });

  it('leaves no trace of refused input in any read model', async () => {
    await p.waitUntilCaughtUp();
    const reports = await getJson(p, '/api/v1/reports');
    expect(reports.body.map((r: { reportId: string }) => r.reportId)).toEqual(['report-M1719_S-05611-2026S1']);
    const report = await getJson(p, '/api/v1/reports/report-M1719_S-05611-2026S1');
    expect(report.body.version).toBe(1);
    expect(report.body.values).toEqual(good.values);
    const vn = await getJson(p, '/api/v1/rollups?orgUnit=VN&period=2026S1');
    expect(vn.body.dataElements).toEqual({ HH_TOTAL: 100, HH_POOR: 10 });
    expect(vn.body.completeness.M1719_S.received).toBe(1);
    const inbox = await getJson(p, '/api/v1/inbox?orgUnit=19');
    expect(inbox.body.messages).toHaveLength(1);
    expect((await getJson(p, '/api/v1/inbox?orgUnit=05611')).body.messages).toHaveLength(0);
  });

  it('answers bad queries with 4xx codes too', async () => {
    expect((await getJson(p, '/api/v1/rollups?orgUnit=VN')).body.error.code).toBe('INVALID_REQUEST');
    expect((await getJson(p, '/api/v1/rollups?orgUnit=VN&period=2026X9')).body.error.code).toBe('INVALID_PERIOD');
    expect((await getJson(p, '/api/v1/rollups?orgUnit=VN&period=2026S1&hierarchy=1999')).body.error.code).toBe('UNKNOWN_HIERARCHY');
    expect((await getJson(p, '/api/v1/rollups?orgUnit=99999&period=2026S1&hierarchy=pre2025')).body.error.code).toBe('UNKNOWN_ORG_UNIT');
    const notCaughtUp = await getJson(p, '/api/v1/rollups?orgUnit=VN&period=2026S1&after=999999999');
    expect(notCaughtUp.status).toBe(409);
    expect(notCaughtUp.body.error.code).toBe('NOT_CAUGHT_UP');
    expect((await getJson(p, '/api/v1/reports/report-M1719_S-05611-2099S1')).body.error.code).toBe('REPORT_NOT_FOUND');
    expect((await getJson(p, '/api/v1/no-such-route')).status).toBe(404);
  });
});
