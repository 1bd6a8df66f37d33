import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRemapping } from '@tally/reference-data';
import { waitFor } from '@tally/testkit/conformance';
import { getJson, householdValues, realRegistry, startTestPlatform, submit, type TestPlatform } from './helpers';

/**
 * Issue 5 over the HTTP API: completeness with the list of missing units, estimate vs official figures,
 * re-aggregation of a pre-2025 period onto the 2025 map, time travel (asOf), and a hierarchy change.
 */
const PERIOD = '2024S2'; // read on the pre-2025 map; every deadline has passed
const DISTRICT = '168'; // Huyện Phú Lương, Thái Nguyên
const PROVINCE = '19';

describe('rollups: completeness, figures, re-aggregation, time travel', () => {
  let p: TestPlatform;
  let communes: string[];
  let last = 0;
  let beforeAmendment = '';
  /** an instant strictly between what came before and what comes after (time travel reads "as of" it) */
  const nextMillisecond = async () => {
    const now = Date.now();
    await waitFor(() => Date.now() > now, 1_000, 'the clock to move on', 1);
  };

  beforeAll(async () => {
    p = await startTestPlatform();
    communes = realRegistry().get('pre2025')!.childrenOf(DISTRICT).map((u) => u.code);
    for (const [i, commune] of communes.slice(0, 4).entries()) {
      const r = await submit(p, { orgUnit: commune, period: PERIOD, submissionId: `s-${commune}`, values: householdValues(100 * (i + 1), 10 * (i + 1)), figures: 'estimate' });
      expect(r.status).toBe(202);
      last = r.body.position as number;
    }
    await nextMillisecond();
    beforeAmendment = new Date().toISOString();
    await nextMillisecond();
    // the first commune's official figures replace its estimate
    const amended = await submit(p, { orgUnit: communes[0]!, period: PERIOD, submissionId: `o-${communes[0]}`, values: householdValues(150, 12), figures: 'official', reason: 'Số liệu chính thức' });
    expect(amended.status).toBe(202);
    last = amended.body.position as number;
    await getJson(p, `/api/v1/rollups?orgUnit=VN&period=${PERIOD}&after=${last}`);
  });
  afterAll(() => p.dispose());

  it('lists the units that have not reported, with timeliness against the unit tier deadline', async () => {
    const r = await getJson(p, `/api/v1/completeness?orgUnit=${DISTRICT}&period=${PERIOD}&template=M1719_S`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ orgUnit: DISTRICT, hierarchy: 'pre2025', figures: 'latest', asOf: null, reportingLevel: 'commune', tier: 1, deadline: '2025-01-20', expected: 14, received: 4, onTime: 0 });
    expect(r.body.missing.map((u: { code: string }) => u.code)).toEqual(communes.slice(4));
    expect(r.body.late).toHaveLength(4);
    const province = await getJson(p, `/api/v1/completeness?orgUnit=${PROVINCE}&period=${PERIOD}&template=M1719_S`);
    expect(province.body).toMatchObject({ tier: 2, deadline: '2025-01-25', expected: realRegistry().get('pre2025')!.countDescendantsAtLevel(PROVINCE, 'commune'), received: 4 });
    const commune = await getJson(p, `/api/v1/completeness?orgUnit=${communes[0]}&period=${PERIOD}&template=M1719_S`);
    expect(commune.body).toMatchObject({ tier: 0, deadline: '2025-01-15', expected: 1, received: 1, missing: [] });
    // the rollup's own completeness agrees
    const rollup = await getJson(p, `/api/v1/rollups?orgUnit=${DISTRICT}&period=${PERIOD}`);
    expect(rollup.body.completeness.M1719_S).toEqual({ expected: 14, received: 4, onTime: 0 });
  });

  it('refuses a template of another period type, an unknown template, and a unit below the reporting level', async () => {
    expect((await getJson(p, `/api/v1/completeness?orgUnit=${DISTRICT}&period=2024Q3&template=M1719_S`)).body.error.code).toBe('PERIOD_TEMPLATE_MISMATCH');
    expect((await getJson(p, `/api/v1/completeness?orgUnit=${DISTRICT}&period=${PERIOD}&template=NOPE`)).body.error.code).toBe('UNKNOWN_TEMPLATE');
    expect((await getJson(p, `/api/v1/completeness?orgUnit=${DISTRICT}&period=${PERIOD}`)).status).toBe(400);
  });

  it('keeps estimate and official figures apart, reads the latest by default, and flags estimates', async () => {
    // estimates: 100+200+300+400 ; official: only the first commune, 150 ; latest: 150+200+300+400
    const latest = await getJson(p, `/api/v1/rollups?orgUnit=${DISTRICT}&period=${PERIOD}`);
    expect(latest.body).toMatchObject({ figures: 'latest', estimated: true, estimatedBecause: ['estimate-figures'], asOf: null });
    expect(latest.body.dataElements.HH_TOTAL).toBe(1050);
    const estimate = await getJson(p, `/api/v1/rollups?orgUnit=${DISTRICT}&period=${PERIOD}&figures=estimate`);
    expect(estimate.body).toMatchObject({ figures: 'estimate', estimated: true });
    expect(estimate.body.dataElements.HH_TOTAL).toBe(1000);
    const official = await getJson(p, `/api/v1/rollups?orgUnit=${DISTRICT}&period=${PERIOD}&figures=official`);
    expect(official.body).toMatchObject({ figures: 'official', estimated: false });
    expect(official.body.dataElements.HH_TOTAL).toBe(150);
    expect(official.body.completeness.M1719_S.received).toBe(1);
    const officialCompleteness = await getJson(p, `/api/v1/completeness?orgUnit=${DISTRICT}&period=${PERIOD}&template=M1719_S&figures=official`);
    expect(officialCompleteness.body).toMatchObject({ received: 1, expected: 14 });
    // only the first commune's latest figures are official
    const commune = await getJson(p, `/api/v1/rollups?orgUnit=${communes[0]}&period=${PERIOD}`);
    expect(commune.body.estimated).toBe(false);
  });

  it('re-aggregates a pre-2025 period onto the 2025 map through the mapping, flagging apportioned figures', async () => {
    const remapping = loadRemapping();
    // 05461 (district 164) was split in two: half of it each to 05443 and 05467, both in province 19
    expect(remapping.targetsOf('05461')!.targets.map((t) => t.newCode)).toEqual(['05443', '05467']);
    const split = await submit(p, { orgUnit: '05461', period: PERIOD, submissionId: 's-05461', values: householdValues(60, 6), figures: 'official' });
    await getJson(p, `/api/v1/rollups?orgUnit=VN&period=${PERIOD}&after=${split.body.position}`);
    const latest: Record<string, number> = { [communes[0]!]: 150, [communes[1]!]: 200, [communes[2]!]: 300, [communes[3]!]: 400, '05461': 60 };
    const v2025 = realRegistry().get('2025')!;
    // expected on the 2025 province: each old commune's value times its weights into the province's communes
    let expected = 0;
    let apportioned = false;
    const byNewCommune = new Map<string, number>();
    for (const [old, v] of Object.entries(latest)) {
      const targets = remapping.targetsOf(old)!.targets;
      let w = 0;
      for (const t of targets) {
        byNewCommune.set(t.newCode, (byNewCommune.get(t.newCode) ?? 0) + v * t.weight);
        if (v2025.isWithin(t.newCode, PROVINCE)) w += t.weight;
      }
      expected += v * w;
      if (w < 1 - 1e-9) apportioned = true;
    }
    const province = await getJson(p, `/api/v1/rollups?orgUnit=${PROVINCE}&period=${PERIOD}&hierarchy=2025`);
    expect(province.status).toBe(200);
    expect(province.body).toMatchObject({ hierarchy: '2025', remappedFrom: ['pre2025'] });
    expect(province.body.dataElements.HH_TOTAL).toBeCloseTo(expected, 9);
    // all of 05461 lies in the province, so the province's figure is exact
    expect(apportioned).toBe(false);
    expect(province.body.estimatedBecause?.includes('apportioned') ?? false).toBe(false);
    expect(byNewCommune.get('05443')).toBe(30);
    // a new commune: the sum of what its old communes gave it; a split commune's share is flagged
    for (const [newCode, value] of byNewCommune) {
      const r = await getJson(p, `/api/v1/rollups?orgUnit=${newCode}&period=${PERIOD}&hierarchy=2025`);
      expect(r.body.dataElements.HH_TOTAL, newCode).toBeCloseTo(value, 9);
      const isSplit = remapping.sourcesOf(newCode).some((row) => latest[row.oldCode] !== undefined && remapping.targetsOf(row.oldCode)!.targets.length > 1);
      expect(r.body.estimatedBecause?.includes('apportioned') ?? false, newCode).toBe(isSplit);
      // rates are recomputed from remapped numerator and denominator
      expect(r.body.indicators.POVERTY_RATE.denominator).toBeCloseTo(value, 9);
    }
    // the national figure on the 2025 map equals the pre-2025 one: shares of a unit sum to 1
    const vn = await getJson(p, `/api/v1/rollups?orgUnit=VN&period=${PERIOD}&hierarchy=2025`);
    expect(vn.body.dataElements.HH_TOTAL).toBeCloseTo(1110, 9);
    expect(vn.body.estimatedBecause ?? []).not.toContain('apportioned');
  });

  it('reads any rollup as of a past instant, from the event history', async () => {
    const then = await getJson(p, `/api/v1/rollups?orgUnit=${DISTRICT}&period=${PERIOD}&asOf=${encodeURIComponent(beforeAmendment)}`);
    expect(then.status).toBe(200);
    expect(then.body.asOf).toBe(beforeAmendment);
    expect(then.body.dataElements.HH_TOTAL).toBe(1000);
    expect(then.body.completeness.M1719_S).toEqual({ expected: 14, received: 4, onTime: 0 });
    const nothing = await getJson(p, `/api/v1/rollups?orgUnit=VN&period=${PERIOD}&asOf=2020-01-01T00:00:00Z`);
    expect(nothing.body.dataElements).toEqual({});
    const now = await getJson(p, `/api/v1/rollups?orgUnit=${DISTRICT}&period=${PERIOD}&asOf=${encodeURIComponent(new Date().toISOString())}`);
    const live = await getJson(p, `/api/v1/rollups?orgUnit=${DISTRICT}&period=${PERIOD}`);
    expect({ ...now.body, asOf: null }).toEqual(live.body);
    const oldCompleteness = await getJson(p, `/api/v1/completeness?orgUnit=${DISTRICT}&period=${PERIOD}&template=M1719_S&figures=official&asOf=${encodeURIComponent(beforeAmendment)}`);
    expect(oldCompleteness.body).toMatchObject({ received: 0, asOf: beforeAmendment });
    expect((await getJson(p, `/api/v1/rollups?orgUnit=VN&period=${PERIOD}&asOf=yesterday`)).status).toBe(400);
  });

  it('gives the same answers after a rebuild from the log', async () => {
    const urls = [
      `/api/v1/rollups?orgUnit=${DISTRICT}&period=${PERIOD}`,
      `/api/v1/rollups?orgUnit=${PROVINCE}&period=${PERIOD}&hierarchy=2025`,
      `/api/v1/completeness?orgUnit=${DISTRICT}&period=${PERIOD}&template=M1719_S`,
    ];
    const before = await Promise.all(urls.map((u) => getJson(p, u)));
    await p.rebuild();
    const after = await Promise.all(urls.map((u) => getJson(p, u)));
    for (let i = 0; i < urls.length; i++) expect(after[i]!.body, urls[i]).toEqual(before[i]!.body);
  });
});

describe('hierarchy changes after go-live', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform();
  });
  afterAll(() => p.dispose());

  it('appends a move as an event; reports received after it roll up on the changed map', async () => {
    const [first, second] = realRegistry().get('pre2025')!.childrenOf(DISTRICT).map((u) => u.code);
    const a = await submit(p, { orgUnit: first!, period: PERIOD, submissionId: 'before-move', values: householdValues(100, 10) });
    expect(a.status).toBe(202);
    const change = await p.hierarchyRollup.changeHierarchy('pre2025', { kind: 'move', code: second!, newParentCode: '164' }, { actor: { id: 'admin' }, correlationId: 'move-1' });
    expect(change.version).toBe(1);
    expect(p.hierarchyRollup.hierarchies().get('pre2025')!.get(second!)!.parentCode).toBe('164');
    expect(realRegistry().get('pre2025')!.get(second!)!.parentCode).toBe(DISTRICT); // the shipped map is untouched
    const b = await submit(p, { orgUnit: second!, period: PERIOD, submissionId: 'after-move', values: householdValues(1000, 100) });
    expect(b.status).toBe(202);
    const district = await getJson(p, `/api/v1/rollups?orgUnit=${DISTRICT}&period=${PERIOD}&after=${b.body.position}`);
    expect(district.body.dataElements.HH_TOTAL).toBe(100);
    const other = await getJson(p, `/api/v1/rollups?orgUnit=164&period=${PERIOD}`);
    expect(other.body.dataElements.HH_TOTAL).toBe(1000);
    const unit = await getJson(p, `/api/v1/org-units/${second}?hierarchy=pre2025`);
    expect(unit.body.parent.code).toBe('164');
    // a rebuild walks the same paths: the change is applied by position
    await p.rebuild();
    expect((await getJson(p, `/api/v1/rollups?orgUnit=164&period=${PERIOD}`)).body.dataElements.HH_TOTAL).toBe(1000);
    expect((await getJson(p, `/api/v1/rollups?orgUnit=${DISTRICT}&period=${PERIOD}`)).body.dataElements.HH_TOTAL).toBe(100);
    // refused: a change that breaks the structure
    await expect(p.hierarchyRollup.changeHierarchy('pre2025', { kind: 'move', code: second!, newParentCode: '99999' }, { actor: { id: 'admin' }, correlationId: 'bad' })).rejects.toThrow();
  });
});
