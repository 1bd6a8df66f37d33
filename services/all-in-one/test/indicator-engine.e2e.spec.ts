import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTestPlatform, submit, type TestPlatform, type Values } from './helpers';

/**
 * The indicator engine over the API, on the demo catalog for Program 1719 (data/demo/catalog-1719.json):
 * disaggregated annual reports (estimate and official figures), indicators on rollups, REJECT rules at
 * ingestion, WARN / min-max / outlier violations as events (inbox, alerts), targets with met/missed events,
 * and a DTI-style composite index ranked across provinces. Year 2026 is on the 2025 map (commune -> province -> VN).
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const PROVINCE = '19'; // Thái Nguyên
const [C1, C2, C3, C4] = ['05443', '05611', '01840', '01843']; // communes of Thái Nguyên on the 2025 map
const A = '01273'; // a commune of Cao Bằng (04)
const B = '00691'; // a commune of Tuyên Quang (08)
const D = '03127'; // a commune of Điện Biên (11)
const YEAR = '2026';

interface Annual {
  hh?: number;
  poor?: number;
  em: number;
  emPoor: number;
  road: number;
  electricity?: number;
  water?: number;
  children?: [number, number];
  preschool?: [number, number];
  pop?: number;
  insured?: number;
  /** central, local, carried over */
  allocated?: [number, number, number];
  disbursed?: [number, number, number];
}

/** A full M1719_Y report: every element, disaggregated by sex, ethnic group x sex, funding source and project x funding source. */
function annual(o: Annual): Values {
  const hh = o.hh ?? 2000;
  const children = o.children ?? [40, 40];
  const preschool = o.preschool ?? [39, 40];
  const pop = o.pop ?? 8000;
  const alloc = o.allocated ?? [1000, 200, 100];
  const disb = o.disbursed ?? [800, 150, 50];
  const emPop = { TAY_MALE: o.em, TAY_FEMALE: o.em, DAO_MALE: o.em, DAO_FEMALE: o.em }; // 4 people per EM household
  const emPopTotal = 4 * o.em;
  return [
    { dataElement: 'HH_TOTAL', value: hh },
    { dataElement: 'HH_POOR', value: o.poor ?? 300 },
    { dataElement: 'HH_EM', value: o.em },
    { dataElement: 'HH_EM_POOR', value: o.emPoor },
    { dataElement: 'HH_ELECTRICITY', value: o.electricity ?? hh - 20 },
    { dataElement: 'HH_CLEAN_WATER', value: o.water ?? hh - 200 },
    { dataElement: 'CHILDREN_5Y', optionCombo: 'MALE', value: children[0] },
    { dataElement: 'CHILDREN_5Y', optionCombo: 'FEMALE', value: children[1] },
    { dataElement: 'CHILDREN_5Y_PRESCHOOL', optionCombo: 'MALE', value: preschool[0] },
    { dataElement: 'CHILDREN_5Y_PRESCHOOL', optionCombo: 'FEMALE', value: preschool[1] },
    { dataElement: 'POP_TOTAL', value: pop },
    { dataElement: 'POP_INSURED', value: o.insured ?? pop - 100 },
    { dataElement: 'ROAD_PAVED', value: o.road },
    { dataElement: 'COMMUNE_REPORTING', value: 1 },
    { dataElement: 'CAPITAL_ALLOCATED', optionCombo: 'CENTRAL', value: alloc[0] },
    { dataElement: 'CAPITAL_ALLOCATED', optionCombo: 'LOCAL', value: alloc[1] },
    { dataElement: 'CAPITAL_ALLOCATED', optionCombo: 'CARRIED_OVER', value: alloc[2] },
    { dataElement: 'CAPITAL_DISBURSED', optionCombo: 'CENTRAL', value: disb[0] },
    { dataElement: 'CAPITAL_DISBURSED', optionCombo: 'LOCAL', value: disb[1] },
    { dataElement: 'CAPITAL_DISBURSED', optionCombo: 'CARRIED_OVER', value: disb[2] },
    ...Object.entries(emPop).map(([combo, value]) => ({ dataElement: 'EM_POP', optionCombo: combo, value })),
    { dataElement: 'EM_INCOME_TOTAL', value: emPopTotal * 40 }, // 40 million VND per person
    { dataElement: 'EM_POP_2020', value: emPopTotal },
    { dataElement: 'EM_INCOME_TOTAL_2020', value: emPopTotal * 18 },
    // by project: Project 4 (infrastructure) and Project 1 (land, housing, water) share the central budget
    { dataElement: 'PROJECT_CAPITAL_ALLOCATED', optionCombo: 'P04_CENTRAL', value: alloc[0] * 0.6 },
    { dataElement: 'PROJECT_CAPITAL_ALLOCATED', optionCombo: 'P01_CENTRAL', value: alloc[0] * 0.4 },
    { dataElement: 'PROJECT_CAPITAL_ALLOCATED', optionCombo: 'P04_LOCAL', value: alloc[1] },
    { dataElement: 'PROJECT_CAPITAL_ALLOCATED', optionCombo: 'P04_CARRIED_OVER', value: alloc[2] },
    { dataElement: 'PROJECT_CAPITAL_DISBURSED', optionCombo: 'P04_CENTRAL', value: disb[0] * 0.5 },
    { dataElement: 'PROJECT_CAPITAL_DISBURSED', optionCombo: 'P01_CENTRAL', value: disb[0] * 0.5 },
    { dataElement: 'PROJECT_CAPITAL_DISBURSED', optionCombo: 'P04_LOCAL', value: disb[1] },
    { dataElement: 'PROJECT_CAPITAL_DISBURSED', optionCombo: 'P04_CARRIED_OVER', value: disb[2] },
  ];
}

const yearly = (orgUnit: string, period: string, id: string, values: Values, extra: { figures?: string; reason?: string } = {}) => ({
  template: 'M1719_Y',
  orgUnit,
  period,
  submissionId: id,
  values,
  ...extra,
});

describe('indicator engine over the API (demo catalog)', () => {
  let p: TestPlatform;
  let last = 0;
  const accept = async (body: Parameters<typeof submit>[1]) => {
    const r = await submit(p, body);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    last = Math.max(last, r.body.position as number);
    return r.body;
  };
  const outcomes = async (stream: string) => (await p.platform.store.readStream(stream)).map((e) => e.type.replace('tally.indicators.', ''));

  beforeAll(async () => {
    p = await startTestPlatform();
  });
  afterAll(() => p.dispose());

  it('refuses a report breaking REJECT rules synchronously, listing every broken rule, and stores nothing', async () => {
    const r = await submit(p, yearly(C1, YEAR, 'rej-1', annual({ em: 100, emPoor: 150, road: 2 })));
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('VALIDATION_RULE_VIOLATED');
    expect(r.body.error.details.violations.map((v: Json) => v.rule).sort()).toEqual(['EM_POOR_LE_EM', 'ROAD_PAVED_IS_0_OR_1']);
    expect(r.body.error.details.violations.find((v: Json) => v.rule === 'EM_POOR_LE_EM')).toMatchObject({ left: 150, operator: '<=', right: 100, onViolation: 'REJECT' });
    expect((await getJson(p, `/api/v1/reports/report-M1719_Y-${C1}-${YEAR}`)).status).toBe(404);
  });

  it('rolls disaggregated values up and recomputes indicators from rolled-up sums; estimate and official figures are versions of one report', async () => {
    await accept(yearly(C1, YEAR, 'c1-est', annual({ em: 1000, emPoor: 235, road: 1 }), { figures: 'estimate' }));
    await accept(yearly(C1, YEAR, 'c1-off', annual({ em: 1000, emPoor: 230, road: 1 }), { figures: 'official', reason: 'Số chính thức' }));
    await accept(yearly(C2, YEAR, 'c2-off', annual({ em: 1000, emPoor: 220, road: 0, allocated: [2000, 0, 300], disbursed: [1000, 0, 300] })));
    const r = await getJson(p, `/api/v1/rollups?orgUnit=${PROVINCE}&period=${YEAR}&after=${last}`);
    expect(r.status).toBe(200);
    const v = r.body.dataElements;
    expect(v.HH_EM).toBe(2000);
    expect(v.HH_EM_POOR).toBe(450);
    expect(v['EM_POP.TAY_FEMALE']).toBe(2000);
    expect(v.EM_POP).toBe(8000);
    expect(v['CAPITAL_ALLOCATED.CARRIED_OVER']).toBe(400);
    expect(v['PROJECT_CAPITAL_ALLOCATED.P04_CENTRAL']).toBeCloseTo(1800, 6);
    const ind = r.body.indicators;
    expect(ind.EM_POVERTY_RATE).toMatchObject({ numerator: 450, denominator: 2000 });
    expect(ind.EM_POVERTY_RATE.value).toBeCloseTo(22.5, 10);
    // disbursement includes carried-over capital: (800+150+50 + 1000+0+300) / (1000+200+100 + 2000+0+300)
    expect(ind.DISBURSEMENT_RATE.value).toBeCloseTo((2300 / 3600) * 100, 10);
    expect(ind.DISBURSEMENT_RATE_CENTRAL.value).toBeCloseTo((1800 / 3000) * 100, 10);
    // Project 4: (400 + 150 + 50 + 500 + 0 + 300) / (600 + 200 + 100 + 1200 + 0 + 300)
    expect(ind.DISBURSEMENT_RATE_P04.value).toBeCloseTo((1400 / 2400) * 100, 10);
    expect(ind.EM_INCOME_VS_2020.value).toBeCloseTo(40 / 18, 10);
    expect(ind.EM_INCOME_PER_CAPITA.value).toBeCloseTo(40, 10);
    expect(ind.PAVED_ROAD_SHARE.value).toBeCloseTo(50, 10);
    // every query says which figures: the estimate variant still holds C1's estimate
    const estimate = await getJson(p, `/api/v1/rollups?orgUnit=${PROVINCE}&period=${YEAR}&figures=estimate`);
    expect(estimate.body.dataElements.HH_EM_POOR).toBe(235);
    const official = await getJson(p, `/api/v1/rollups?orgUnit=${PROVINCE}&period=${YEAR}&figures=official`);
    expect(official.body.dataElements.HH_EM_POOR).toBe(450);
  });

  it('records WARN rule and min/max violations as events, tells the submitter and its parent, and lists them in /alerts', async () => {
    const body = await accept(yearly(C3, YEAR, 'c3', annual({ em: 500, emPoor: 100, road: 1, hh: 400, poor: 450, children: [6000, 40], preschool: [39, 40] })));
    await p.waitUntilCaughtUp();
    const events = await p.platform.store.readStream(`indicators-${body.reportId}`);
    expect(events.map((e) => e.type)).toEqual(['tally.indicators.validated']);
    const violations = (events[0]!.data as Json).violations as Json[];
    expect(violations.find((x) => x.kind === 'MIN_MAX')?.message).toContain('(CHILDREN_5Y.MALE) = 6000 is above the maximum 5000');
    expect(violations.map((x) => `${x.kind}:${x.rule}`).sort()).toEqual(
      ['MIN_MAX:CHILDREN_5Y.MALE', 'RULE:EM_LE_TOTAL', 'RULE:POOR_LE_TOTAL'],
    );
    for (const unit of [C3, PROVINCE]) {
      const inbox = await getJson(p, `/api/v1/inbox?orgUnit=${unit}`);
      const msg = inbox.body.messages.find((m: Json) => m.kind === 'validation.failed' && m.reportId === body.reportId);
      expect(msg, unit).toBeDefined();
      expect(msg.body).toContain('POOR_LE_TOTAL');
      // in Vietnamese, the inbox's default language (the event keeps the check's English message)
      expect(msg.body).toContain('(CHILDREN_5Y.MALE) = 6000 vượt mức tối đa 5000');
    }
    const alerts = await getJson(p, `/api/v1/alerts?orgUnit=${C3}`);
    expect(alerts.status).toBe(200);
    expect(alerts.body.violations).toHaveLength(1);
    expect(alerts.body.violations[0]).toMatchObject({ reportId: body.reportId, template: 'M1719_Y', period: YEAR, reportVersion: 1 });
    expect(alerts.body.violations[0].violations).toHaveLength(3);
    // a clean report has nothing to show
    expect((await getJson(p, `/api/v1/alerts?orgUnit=${C2}`)).body).toEqual({ orgUnit: C2, targetsMissed: [], violations: [] });
  });

  it("flags an outlier against the unit's own history of the element", async () => {
    const half = (period: string, total: number, poor: number) =>
      accept({ orgUnit: C4, period, submissionId: `c4-${period}`, values: [{ dataElement: 'HH_TOTAL', value: total }, { dataElement: 'HH_POOR', value: poor }] });
    for (const [period, total, poor] of [['2027S1', 1000, 100], ['2027S2', 1010, 98], ['2028S1', 990, 95]] as const) {
      await half(period, total, poor);
      await p.waitUntilCaughtUp(); // history is read when the next report is checked
    }
    const typo = await half('2028S2', 10000, 96);
    await p.waitUntilCaughtUp();
    const alerts = await getJson(p, `/api/v1/alerts?orgUnit=${C4}`);
    expect(alerts.body.violations.map((r: Json) => r.period)).toEqual(['2028S2']);
    const [outlier, ...others] = alerts.body.violations[0].violations;
    expect(others).toEqual([]);
    expect(outlier).toMatchObject({ kind: 'OUTLIER', rule: 'HH_TOTAL', left: 10000, operator: '<=', onViolation: 'WARN' });
    expect(outlier.message).toContain('median 1000');
    expect(alerts.body.violations[0].reportId).toBe(typo.reportId);
  });

  it('keeps targets per unit and period: one met/missed event per outcome change, alerts and notifications for misses', async () => {
    const put = (body: Json) => p.app.inject({ method: 'PUT', url: '/api/v1/targets', payload: body });
    const target = { indicator: 'PAVED_ROAD_SHARE', orgUnit: PROVINCE, period: YEAR, operator: '>=', value: 100 };
    const first = await put(target);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ ...target, hierarchy: '2025', version: 1, change: null, figures: 'latest' });
    expect((await put(target)).statusCode).toBe(200); // the same target again: no new version

    // refused: unknown indicator, unknown unit, a malformed operator
    const unknownIndicator = await put({ ...target, indicator: 'NO_SUCH' });
    expect(unknownIndicator.statusCode).toBe(422);
    const unknownUnit = await put({ ...target, orgUnit: '99999' });
    expect(unknownUnit.statusCode).toBe(422);
    expect(unknownUnit.json().error.code).toBe('UNKNOWN_ORG_UNIT');
    expect((await put({ ...target, operator: '=<' })).statusCode).toBe(400);

    // C1 and C3 have a paved road, C2 not: 2 of 3 communes
    await p.waitUntilCaughtUp();
    const stream = `indicators-target-PAVED_ROAD_SHARE-${PROVINCE}-${YEAR}`;
    expect(await outcomes(stream)).toEqual(['target-missed']);
    const targets = await getJson(p, `/api/v1/targets?orgUnit=${PROVINCE}`);
    expect(targets.body.targets).toHaveLength(1);
    expect(targets.body.targets[0]).toMatchObject({ indicator: 'PAVED_ROAD_SHARE', status: 'MISSED', version: 1 });
    expect(targets.body.targets[0].actual).toBeCloseTo(200 / 3, 10);
    const alerts = await getJson(p, `/api/v1/alerts?orgUnit=${PROVINCE}`);
    expect(alerts.body.targetsMissed.map((t: Json) => t.indicator)).toEqual(['PAVED_ROAD_SHARE']);
    for (const unit of [PROVINCE, 'VN']) {
      const inbox = await getJson(p, `/api/v1/inbox?orgUnit=${unit}`);
      expect(inbox.body.messages.filter((m: Json) => m.kind === 'target.missed'), unit).toHaveLength(1);
    }

    // C2 paves its road: the target is met, once
    await accept(yearly(C2, YEAR, 'c2-road', annual({ em: 1000, emPoor: 220, road: 1, allocated: [2000, 0, 300], disbursed: [1000, 0, 300] }), { reason: 'Đường đã cứng hóa' }));
    await p.waitUntilCaughtUp();
    expect(await outcomes(stream)).toEqual(['target-missed', 'target-met']);
    // another report that keeps it met adds nothing
    await accept(yearly(C4, YEAR, 'c4-year', annual({ em: 500, emPoor: 100, road: 1 })));
    await p.waitUntilCaughtUp();
    expect(await outcomes(stream)).toEqual(['target-missed', 'target-met']);
    expect((await getJson(p, `/api/v1/alerts?orgUnit=${PROVINCE}`)).body.targetsMissed).toEqual([]);
    const inbox = await getJson(p, `/api/v1/inbox?orgUnit=${PROVINCE}`);
    expect(inbox.body.messages.filter((m: Json) => m.kind === 'target.met')).toHaveLength(1);

    // a new version of the target is evaluated again (one outcome per target version)
    expect((await put({ ...target, note: 'Nghị quyết HĐND tỉnh' })).json().version).toBe(2);
    await p.waitUntilCaughtUp();
    expect(await outcomes(stream)).toEqual(['target-missed', 'target-met', 'target-met']);
  });

  it('checks a change target (EM poverty rate falls by at least 3 points a year) when either year changes', async () => {
    const target = { indicator: 'EM_POVERTY_RATE', orgUnit: PROVINCE, period: YEAR, operator: '<=', value: -3, change: 'PREVIOUS_YEAR' };
    const r = await p.app.inject({ method: 'PUT', url: '/api/v1/targets', payload: target });
    expect(r.statusCode, r.body).toBe(201);
    await p.waitUntilCaughtUp();
    const stream = `indicators-target-EM_POVERTY_RATE-${PROVINCE}-${YEAR}`;
    expect(await outcomes(stream)).toEqual([]); // no 2025 data yet

    // 2026: (230 + 220 + 100 + 100) / (1000 + 1000 + 500 + 500) = 21.67%; 2025: 24% -> -2.33 points: missed
    await accept(yearly(C1, '2025', 'c1-2025', annual({ em: 1000, emPoor: 240, road: 1 })));
    await accept(yearly(C2, '2025', 'c2-2025', annual({ em: 1000, emPoor: 240, road: 1 })));
    await p.waitUntilCaughtUp();
    expect(await outcomes(stream)).toEqual(['target-missed']);
    const missed = (await p.platform.store.readStream(stream))[0]!.data as Json;
    expect(missed.value).toBeCloseTo((650 / 3000) * 100, 10);
    expect(missed.previousValue).toBeCloseTo(24, 10);
    expect(missed.measured).toBeCloseTo((650 / 3000) * 100 - 24, 10);

    // the 2025 official figures are higher: 25% -> -3.33 points: met
    await accept(yearly(C2, '2025', 'c2-2025b', annual({ em: 1000, emPoor: 260, road: 1 }), { reason: 'Rà soát hộ nghèo' }));
    await p.waitUntilCaughtUp();
    expect(await outcomes(stream)).toEqual(['target-missed', 'target-met']);
    const view = (await getJson(p, `/api/v1/targets?orgUnit=${PROVINCE}&indicator=EM_POVERTY_RATE`)).body.targets[0];
    expect(view).toMatchObject({ status: 'MET', change: 'PREVIOUS_YEAR', operator: '<=', value: -3 });
    expect(view.measured).toBeCloseTo((650 / 3000) * 100 - 25, 10);
    const inbox = await getJson(p, `/api/v1/inbox?orgUnit=${PROVINCE}`);
    const msg = inbox.body.messages.find((m: Json) => m.kind === 'target.missed' && m.body.startsWith('EM_POVERTY_RATE'));
    expect(msg.body).toContain('năm trước 24'); // Vietnamese unless the account prefers English
  });

  it('ranks provinces by the composite index, ties sharing a rank', async () => {
    // Cao Bằng and Tuyên Quang report the same values; Điện Biên reaches every target
    await accept(yearly(A, YEAR, 'a', annual({ em: 800, emPoor: 200, road: 1 })));
    await accept(yearly(B, YEAR, 'b', annual({ em: 800, emPoor: 200, road: 1 })));
    const perfect = annual({ em: 800, emPoor: 0, road: 1, electricity: 2000, water: 2000, preschool: [40, 40], insured: 8000, disbursed: [1000, 200, 100] });
    await accept(yearly(D, YEAR, 'd', perfect));
    const r = await getJson(p, `/api/v1/composites/NTP1719_PROGRESS?period=${YEAR}&level=province&after=${last}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ code: 'NTP1719_PROGRESS', hierarchy: '2025', level: 'province', parent: 'VN', figures: 'latest' });
    expect(r.body.components.map((c: Json) => c.maxPoints).reduce((a: number, b: number) => a + b, 0)).toBe(1000);
    const units: Json[] = r.body.units;
    expect(units).toHaveLength(34);
    const by = new Map(units.map((u) => [u.orgUnit, u]));
    expect(by.get('11')).toMatchObject({ rank: 1, score: 1 });
    // Cao Bằng / Tuyên Quang: EM non-poor 75% (150 of 200), electricity 99, water 90, roads 100, preschool 98.75, insurance 98.75, disbursement 1000/1300
    const expected = (200 * 0.75 + 100 * 0.99 + 100 * 0.9 + 100 * 1 + 100 * 0.9875 + 100 * 0.9875 + 300 * (1000 / 1300)) / 1000;
    expect(by.get('04')!.score).toBeCloseTo(expected, 10);
    expect(by.get('08')!.score).toBe(by.get('04')!.score);
    expect(by.get('08')!.rank).toBe(by.get('04')!.rank);
    const scored = units.filter((u) => u.score !== null);
    expect(scored.map((u) => u.orgUnit).sort()).toEqual(['04', '08', '11', '19']);
    // competition ranking: sorted by rank, the rank after a tie skips
    const ranks = scored.map((u) => u.rank as number);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    scored.forEach((u) => expect(u.rank).toBe(1 + scored.findIndex((x) => x.score === u.score)));
    expect(units.slice(4).every((u) => u.rank === null && u.score === null)).toBe(true);

    // communes of one province; unknown index; a level the map does not have
    const communes = await getJson(p, `/api/v1/composites/NTP1719_PROGRESS?period=${YEAR}&level=commune&parent=${PROVINCE}`);
    expect(communes.body.units.filter((u: Json) => u.score !== null).map((u: Json) => u.orgUnit).sort()).toEqual([C1, C2, C3, C4].sort());
    expect((await getJson(p, `/api/v1/composites/NO_SUCH?period=${YEAR}`)).status).toBe(404);
    expect((await getJson(p, `/api/v1/composites/NTP1719_PROGRESS?period=${YEAR}&level=district`)).status).toBe(422);
  });

  it('gives the same targets, alerts, inboxes and rankings after a rebuild, and appends no new outcome', async () => {
    await p.waitUntilCaughtUp();
    const urls = [
      `/api/v1/targets?orgUnit=${PROVINCE}`,
      `/api/v1/alerts?orgUnit=${PROVINCE}`,
      `/api/v1/alerts?orgUnit=${C3}`,
      `/api/v1/alerts?orgUnit=${C4}`,
      `/api/v1/inbox?orgUnit=${PROVINCE}`,
      `/api/v1/composites/NTP1719_PROGRESS?period=${YEAR}&level=province`,
    ];
    const streams = [`indicators-target-PAVED_ROAD_SHARE-${PROVINCE}-${YEAR}`, `indicators-target-EM_POVERTY_RATE-${PROVINCE}-${YEAR}`];
    const before = await Promise.all(urls.map((u) => getJson(p, u)));
    const outcomesBefore = await Promise.all(streams.map(outcomes));
    await p.rebuild();
    const after = await Promise.all(urls.map((u) => getJson(p, u)));
    for (let i = 0; i < urls.length; i++) expect(after[i]!.body, urls[i]).toEqual(before[i]!.body);
    expect(await Promise.all(streams.map(outcomes))).toEqual(outcomesBefore);
  });
});
