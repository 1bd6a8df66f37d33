import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, householdValues, realRegistry, startTestPlatform, submit, type TestPlatform } from './helpers';

/**
 * Hierarchy changes after go-live over the API (POST /api/v1/hierarchies/{version}/changes), and rollups that
 * follow them for data already rolled up: a commune of Phú Lương (168) moves to Đồng Hỷ (164), both in Thái
 * Nguyên (19); its reports leave 168's rollups and completeness and join 164's; the province and VN do not
 * change; a rebuild from the log gives the same answers.
 */
const PERIOD = '2024S2';
const FROM = '168';
const TO = '164';
const PROVINCE = '19';

async function post(p: TestPlatform, url: string, payload: unknown) {
  const r = await p.app.inject({ method: 'POST', url, payload: payload as object });
  return { status: r.statusCode, body: r.json() as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('hierarchy changes after go-live: rollups follow', () => {
  let p: TestPlatform;
  const pre = realRegistry().get('pre2025')!;
  const communes = pre.childrenOf(FROM).map((u) => u.code);
  const moved = communes[1]!;
  const toCommunes = pre.childrenOf(TO).map((u) => u.code);
  let last = 0;
  const urls = [FROM, TO, PROVINCE, 'VN'].flatMap((u) => [`/api/v1/rollups?orgUnit=${u}&period=${PERIOD}`, `/api/v1/completeness?orgUnit=${u}&period=${PERIOD}&template=M1719_S`]);
  const answers = async () => {
    const out: Record<string, unknown> = {};
    // `position` (how far the cells have applied the log) may differ: a rebuild needs no move, so no change position
    for (const url of urls) out[url] = { ...(await getJson(p, url)).body, position: undefined };
    return out;
  };

  beforeAll(async () => {
    p = await startTestPlatform();
    // three communes of 168 (the moved one amended once, then an estimate for another), one of 164
    for (const [i, c] of communes.slice(0, 3).entries()) {
      const r = await submit(p, { orgUnit: c, period: PERIOD, submissionId: `s-${c}`, values: householdValues(100 * (i + 1), 10 * (i + 1)) });
      expect(r.status).toBe(202);
    }
    expect((await submit(p, { orgUnit: moved, period: PERIOD, submissionId: 'fix', values: householdValues(250, 25), reason: 'Sửa số liệu' })).status).toBe(202);
    const r = await submit(p, { orgUnit: toCommunes[0]!, period: PERIOD, submissionId: `s-${toCommunes[0]}`, values: householdValues(1000, 100), figures: 'estimate' });
    last = r.body.position as number;
    await getJson(p, `/api/v1/rollups?orgUnit=VN&period=${PERIOD}&after=${last}`);
    // the other consumers too (validation appends its results): the log's head then moves only by what a test does
    await p.waitUntilCaughtUp();
  });
  afterAll(() => p.dispose());

  it('refuses invalid changes with clear codes and changes nothing', async () => {
    const head = await p.platform.store.headPosition();
    const cases: Array<[unknown, number, string]> = [
      [{ change: { kind: 'move', code: '99999', newParentCode: TO }, reason: 'x-test' }, 422, 'UNKNOWN_ORG_UNIT'],
      [{ change: { kind: 'move', code: moved, newParentCode: '99998' }, reason: 'x-test' }, 422, 'UNKNOWN_ORG_UNIT'],
      [{ change: { kind: 'retire', code: FROM }, reason: 'x-test' }, 400, 'INVALID_REQUEST'],
      [{ change: { kind: 'move', code: FROM, newParentCode: moved }, reason: 'x-test' }, 400, 'INVALID_REQUEST'], // under a commune
      [{ change: { kind: 'merge', codes: [moved], into: TO }, reason: 'x-test' }, 400, 'INVALID_REQUEST'], // a commune into a district
      [{ change: { kind: 'teleport', code: moved }, reason: 'x-test' }, 400, 'INVALID_REQUEST'],
      [{ change: { kind: 'move', code: moved, newParentCode: TO } }, 400, 'INVALID_REQUEST'], // no reason
    ];
    for (const [body, status, code] of cases) {
      const r = await post(p, '/api/v1/hierarchies/pre2025/changes', body);
      expect([r.status, r.body.error?.code], JSON.stringify(body)).toEqual([status, code]);
    }
    const unknown = await post(p, '/api/v1/hierarchies/1999/changes', { change: { kind: 'move', code: moved, newParentCode: TO }, reason: 'x-test' });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'UNKNOWN_HIERARCHY']);
    expect(await p.platform.store.headPosition()).toBe(head);
  });

  it('moves a commune over the API: its rolled-up data and completeness leave the old district and join the new one', async () => {
    const before = await answers();
    const b = (url: string) => before[url] as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(b(urls[0]!).dataElements.HH_TOTAL).toBe(100 + 250 + 300);
    expect(b(urls[2]!).dataElements.HH_TOTAL).toBe(1000);

    const r = await post(p, '/api/v1/hierarchies/pre2025/changes', { change: { kind: 'move', code: moved, newParentCode: TO }, reason: 'Nghị quyết điều chỉnh địa giới' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ hierarchy: 'pre2025', change: { kind: 'move', code: moved, newParentCode: TO }, version: 1 });
    expect(r.body.position).toBeGreaterThan(last);
    const event = (await p.platform.store.readStream('hierarchy-pre2025'))[0]!;
    expect(event).toMatchObject({ type: 'tally.hierarchy.changed', reason: 'Nghị quyết điều chỉnh địa giới' });

    const from = await getJson(p, `/api/v1/rollups?orgUnit=${FROM}&period=${PERIOD}`);
    expect(from.body.dataElements).toMatchObject({ HH_TOTAL: 400, HH_POOR: 40 });
    expect(from.body.completeness.M1719_S).toEqual({ expected: communes.length - 1, received: 2, onTime: 0 });
    const to = await getJson(p, `/api/v1/rollups?orgUnit=${TO}&period=${PERIOD}`);
    expect(to.body.dataElements).toMatchObject({ HH_TOTAL: 1250, HH_POOR: 125 });
    expect(to.body.completeness.M1719_S).toEqual({ expected: toCommunes.length + 1, received: 2, onTime: 0 });
    expect(to.body.estimated).toBe(true); // 164's own estimate, not the moved commune's

    const cFrom = await getJson(p, `/api/v1/completeness?orgUnit=${FROM}&period=${PERIOD}&template=M1719_S`);
    expect(cFrom.body).toMatchObject({ expected: communes.length - 1, received: 2 });
    expect(cFrom.body.missing.map((u: { code: string }) => u.code)).not.toContain(moved);
    const cTo = await getJson(p, `/api/v1/completeness?orgUnit=${TO}&period=${PERIOD}&template=M1719_S`);
    expect(cTo.body).toMatchObject({ expected: toCommunes.length + 1, received: 2, missing: expect.not.arrayContaining([expect.objectContaining({ code: moved })]) });
    expect(cTo.body.late.map((u: { code: string }) => u.code).sort()).toEqual([moved, toCommunes[0]!].sort());

    // the province and the country: the same units under them, the same figures
    for (const i of [4, 5, 6, 7]) expect({ ...(await getJson(p, urls[i]!)).body, position: undefined }, urls[i]).toEqual(before[urls[i]!]);

    // the moved commune's later amendment goes to its new district only
    const a = await submit(p, { orgUnit: moved, period: PERIOD, submissionId: 'fix-2', values: householdValues(260, 26), reason: 'Sửa lần hai' });
    expect(a.status).toBe(202);
    expect((await getJson(p, `/api/v1/rollups?orgUnit=${TO}&period=${PERIOD}&after=${a.body.position}`)).body.dataElements.HH_TOTAL).toBe(1260);
    expect((await getJson(p, `/api/v1/rollups?orgUnit=${FROM}&period=${PERIOD}`)).body.dataElements.HH_TOTAL).toBe(400);
    expect((await getJson(p, `/api/v1/rollups?orgUnit=VN&period=${PERIOD}`)).body.dataElements.HH_TOTAL).toBe(1660);
  });

  it('gives identical answers after a rebuild from the log', async () => {
    const live = await answers();
    await p.rebuild();
    expect(await answers()).toEqual(live);
  });

  it('follows a merge of districts: the merged district\'s communes and their data join the other', async () => {
    const r = await post(p, '/api/v1/hierarchies/pre2025/changes', { change: { kind: 'merge', codes: [FROM], into: TO }, reason: 'Sáp nhập huyện' });
    expect(r.status).toBe(201);
    const to = await getJson(p, `/api/v1/rollups?orgUnit=${TO}&period=${PERIOD}`);
    expect(to.body.dataElements.HH_TOTAL).toBe(1660);
    expect(to.body.completeness.M1719_S).toEqual({ expected: toCommunes.length + communes.length, received: 4, onTime: 0 });
    expect((await getJson(p, `/api/v1/rollups?orgUnit=${FROM}&period=${PERIOD}`)).body.error.code).toBe('UNKNOWN_ORG_UNIT');
    expect((await getJson(p, `/api/v1/rollups?orgUnit=${PROVINCE}&period=${PERIOD}`)).body.dataElements.HH_TOTAL).toBe(1660);
    const live = await answers();
    await p.rebuild();
    expect(await answers()).toEqual(live);
  });
});
