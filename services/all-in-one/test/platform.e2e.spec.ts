import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, householdValues, realRegistry, startTestPlatform, submit, type TestPlatform } from './helpers';

/**
 * The walking skeleton end to end in embedded mode: submit over the API, read rollups at every level,
 * amend, read your own writes, notifications, open data, rebuild from the log.
 * Period 2024S2 ends on 2024-12-31, so it is read on the pre-2025 map (commune -> district -> province -> VN).
 */
const PERIOD = '2024S2';
const DISTRICT = '168'; // Huyện Phú Lương, Thái Nguyên
const PROVINCE = '19';

describe('embedded platform, end to end', () => {
  let p: TestPlatform;
  let communes: string[];
  let lastPosition = 0;

  beforeAll(async () => {
    p = await startTestPlatform();
    communes = realRegistry().get('pre2025')!.childrenOf(DISTRICT).map((u) => u.code);
    expect(communes).toHaveLength(14);
    // 5 of the 14 communes of Phú Lương report
    for (const [i, commune] of communes.slice(0, 5).entries()) {
      const r = await submit(p, { orgUnit: commune, period: PERIOD, submissionId: `s-${commune}`, values: householdValues(100 * (i + 1), 10 * (i + 1) + i) });
      expect(r.status).toBe(202);
      expect(r.body).toMatchObject({ reportId: `report-M1719_S-${commune}-${PERIOD}`, version: 1, status: 'submitted' });
      lastPosition = r.body.position as number;
    }
  });
  afterAll(() => p.dispose());

  it('rolls sums up commune -> district -> province -> VN, and recomputes rates from rolled-up sums', async () => {
    // totals 100+200+300+400+500 = 1500; poor 10+21+32+43+54 = 160
    for (const unit of [DISTRICT, PROVINCE, 'VN']) {
      const r = await getJson(p, `/api/v1/rollups?orgUnit=${unit}&period=${PERIOD}&after=${lastPosition}`);
      expect(r.status).toBe(200);
      expect(r.body.hierarchy).toBe('pre2025');
      expect(r.body.dataElements.HH_TOTAL).toBe(1500);
      expect(r.body.dataElements.HH_POOR).toBe(160);
      expect(r.body.indicators.POVERTY_RATE.numerator).toBe(160);
      expect(r.body.indicators.POVERTY_RATE.denominator).toBe(1500);
      expect(r.body.indicators.POVERTY_RATE.value).toBeCloseTo((160 / 1500) * 100, 10);
    }
    // the mean of the communes' rates would be different: the rate is not averaged
    const meanOfRates = [10 / 100, 21 / 200, 32 / 300, 43 / 400, 54 / 500].reduce((a, b) => a + b, 0) / 5;
    expect((160 / 1500) * 100).not.toBeCloseTo(meanOfRates * 100, 6);
    const commune = await getJson(p, `/api/v1/rollups?orgUnit=${communes[1]}&period=${PERIOD}`);
    expect(commune.body.dataElements.HH_TOTAL).toBe(200);
    // the half-year also reaches the year
    const year = await getJson(p, `/api/v1/rollups?orgUnit=VN&period=2024`);
    expect(year.body.dataElements.HH_TOTAL).toBe(1500);
  });

  it('counts completeness against the units expected to report under each unit', async () => {
    const district = await getJson(p, `/api/v1/rollups?orgUnit=${DISTRICT}&period=${PERIOD}`);
    // 2024S2 closed on 2024-12-31 with a 15-day deadline: reports sent today are late
    expect(district.body.completeness.M1719_S).toEqual({ expected: 14, received: 5, onTime: 0 });
    const province = await getJson(p, `/api/v1/rollups?orgUnit=${PROVINCE}&period=${PERIOD}`);
    expect(province.body.completeness.M1719_S.expected).toBe(realRegistry().get('pre2025')!.countDescendantsAtLevel(PROVINCE, 'commune'));
    expect(province.body.completeness.M1719_S.received).toBe(5);
  });

  it('returns the first answer for a repeated submissionId and changes nothing', async () => {
    const again = await submit(p, { orgUnit: communes[0]!, period: PERIOD, submissionId: `s-${communes[0]}`, values: householdValues(100, 10) });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ reportId: `report-M1719_S-${communes[0]}-${PERIOD}`, version: 1 });
    const report = await getJson(p, `/api/v1/reports/report-M1719_S-${communes[0]}-${PERIOD}`);
    expect(report.body.version).toBe(1);
    expect(report.body.history).toHaveLength(1);
  });

  it('needs a reason to amend, and an amendment retracts the old contribution everywhere', async () => {
    const commune = communes[2]!; // had 300 / 32
    const noReason = await submit(p, { orgUnit: commune, period: PERIOD, submissionId: `s2-${commune}`, values: householdValues(330, 30) });
    expect(noReason.status).toBe(422);
    expect(noReason.body.error.code).toBe('AMENDMENT_REASON_REQUIRED');

    const amended = await submit(p, { orgUnit: commune, period: PERIOD, submissionId: `s2-${commune}`, values: householdValues(330, 30), reason: 'Đếm lại hộ nghèo' });
    expect(amended.status).toBe(202);
    expect(amended.body.version).toBe(2);
    const vn = await getJson(p, `/api/v1/rollups?orgUnit=VN&period=${PERIOD}&after=${amended.body.position}`);
    expect(vn.body.dataElements.HH_TOTAL).toBe(1530);
    expect(vn.body.dataElements.HH_POOR).toBe(158);
    expect(vn.body.completeness.M1719_S.received).toBe(5);

    const report = await getJson(p, `/api/v1/reports/report-M1719_S-${commune}-${PERIOD}`);
    expect(report.body.status).toBe('submitted');
    expect(report.body.version).toBe(2);
    expect(report.body.history.map((h: { type: string }) => h.type)).toEqual(['tally.report.submitted', 'tally.report.amended']);
    expect(report.body.history[1].reason).toBe('Đếm lại hộ nghèo');
  });

  it('shows a unit with its parent and children', async () => {
    const r = await getJson(p, `/api/v1/org-units/${DISTRICT}?hierarchy=pre2025`);
    expect(r.status).toBe(200);
    expect(r.body.unit.name).toBe('Huyện Phú Lương');
    expect(r.body.parent.code).toBe(PROVINCE);
    expect(r.body.children).toHaveLength(14);
    const reused = await getJson(p, `/api/v1/org-units/05611?hierarchy=2025`);
    expect(reused.body.unit.name).toBe('Xã Phú Lương');
    const unknown = await getJson(p, `/api/v1/org-units/99999?hierarchy=pre2025`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('UNKNOWN_ORG_UNIT');
  });

  it("tells a unit's parent about submissions and amendments, and the submitter about broken rules", async () => {
    const bad = await submit(p, { orgUnit: communes[6]!, period: PERIOD, submissionId: `bad-${communes[6]}`, values: householdValues(50, 80) });
    expect(bad.status).toBe(202); // accepted with violations recorded
    await p.waitUntilCaughtUp();
    const district = await getJson(p, `/api/v1/inbox?orgUnit=${DISTRICT}`);
    const kinds = district.body.messages.map((m: { kind: string }) => m.kind);
    expect(kinds.filter((k: string) => k === 'report.submitted')).toHaveLength(6);
    expect(kinds).toContain('report.amended');
    const submitter = await getJson(p, `/api/v1/inbox?orgUnit=${communes[6]}`);
    expect(submitter.body.messages).toHaveLength(1);
    expect(submitter.body.messages[0].kind).toBe('validation.failed');
    expect(submitter.body.messages[0].body).toContain('POOR_LE_TOTAL');
  });

  it('publishes rolled-up values per province and period as open data, with licence', async () => {
    await p.waitUntilCaughtUp();
    const list = await getJson(p, '/api/v1/open-data/datasets');
    expect(list.status).toBe(200);
    const dataset = list.body.datasets.find((d: { template: string }) => d.template === 'M1719_S');
    expect(dataset.licence.name).toBe('CC-BY-4.0');
    expect(dataset.periods).toEqual([PERIOD]);
    const json = await getJson(p, `/api/v1/open-data/datasets/${dataset.id}.json`);
    const total = json.body.rows.find((r: { province_code: string; data_element: string }) => r.province_code === PROVINCE && r.data_element === 'HH_TOTAL');
    expect(total).toMatchObject({ province_name: 'Tỉnh Thái Nguyên', period: PERIOD, value: 1580 });
    const csv = await p.app.inject({ method: 'GET', url: `/api/v1/open-data/datasets/${dataset.id}.csv` });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\r\n')[0]!.startsWith('province_code,province_name,hierarchy,period,data_element,data_element_name,value')).toBe(true);
    expect(csv.body).toContain(`19,Tỉnh Thái Nguyên,pre2025,${PERIOD},HH_TOTAL,Tổng số hộ,1580`);
  });

  it('reports liveness and consumer lag', async () => {
    await p.waitUntilCaughtUp();
    expect((await getJson(p, '/health')).body).toEqual({ status: 'ok' });
    const health = await getJson(p, '/api/v1/health');
    expect(health.status).toBe(200);
    const groups = health.body.services.flatMap((s: { consumers: Array<{ group: string; lag: number }> }) => s.consumers);
    expect(groups.map((g: { group: string }) => g.group)).toContain('hierarchy-rollup.rollups');
    expect(groups.every((g: { lag: number }) => g.lag === 0)).toBe(true);
  });

  it('gives identical answers after every read model is dropped and the log replayed', async () => {
    await p.waitUntilCaughtUp();
    const urls = [
      ...[communes[0], communes[2], DISTRICT, PROVINCE, 'VN'].map((u) => `/api/v1/rollups?orgUnit=${u}&period=${PERIOD}`),
      `/api/v1/rollups?orgUnit=VN&period=2024`,
      `/api/v1/reports/report-M1719_S-${communes[2]}-${PERIOD}`,
      `/api/v1/reports?orgUnit=${communes[2]}`,
      `/api/v1/inbox?orgUnit=${DISTRICT}`,
      `/api/v1/inbox?orgUnit=${communes[6]}`,
      `/api/v1/open-data/datasets`,
    ];
    const before = await Promise.all(urls.map((u) => getJson(p, u)));
    await p.rebuild();
    const after = await Promise.all(urls.map((u) => getJson(p, u)));
    for (let i = 0; i < urls.length; i++) {
      expect(after[i]!.status, urls[i]).toBe(200);
      expect(after[i]!.body, urls[i]).toEqual(before[i]!.body);
    }
  });
});

describe('timeliness', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform();
  });
  afterAll(() => p.dispose());

  it('counts a report received before its deadline as on time', async () => {
    // 2026S2 closes on 2026-12-31; its deadline (15 days after) is still ahead
    const r = await submit(p, { orgUnit: '05611', period: '2026S2', submissionId: 'early', values: householdValues(10, 1) });
    expect(r.status).toBe(202);
    const province = await getJson(p, `/api/v1/rollups?orgUnit=19&period=2026S2&after=${r.body.position}`);
    expect(province.body.hierarchy).toBe('2025');
    expect(province.body.completeness.M1719_S).toEqual({ expected: 92, received: 1, onTime: 1 });
  });
});
