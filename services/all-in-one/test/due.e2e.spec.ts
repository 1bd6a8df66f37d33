import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, householdValues, startTestPlatform, submit, type TestPlatform } from './helpers';

/** GET /api/v1/due: templates x periods with each tier's deadline and the status of the unit's reports. */
describe('GET /api/v1/due', () => {
  let p: TestPlatform;
  const A = '01840';
  beforeAll(async () => {
    p = await startTestPlatform();
    expect((await submit(p, { orgUnit: A, period: '2026S1', submissionId: 'due-1', values: householdValues(1000, 100) })).status).toBe(202);
    await p.waitUntilCaughtUp();
  });
  afterAll(() => p.dispose());

  it('lists what the commune has to report, with its own reports’ status and the cascading deadlines', async () => {
    const r = await getJson(p, `/api/v1/due?orgUnit=${A}&date=2026-08-01`);
    expect(r.status).toBe(200);
    expect(r.body.date).toBe('2026-08-01');
    const half = r.body.items.filter((i: { template: string }) => i.template === 'M1719_S');
    expect(half.map((i: { period: string; status: string }) => `${i.period}:${i.status}`)).toEqual(['2026S2:open', '2026S1:submitted', '2025S2:late', '2025S1:late']);
    expect(half[1]).toMatchObject({ reportId: `report-M1719_S-${A}-2026S1`, version: 1, deadline: '2026-07-15' });
    expect(half[1].tierDeadlines[0]).toEqual({ level: 'commune', deadline: '2026-07-15' });
    expect(half[1].tierDeadlines.length).toBeGreaterThan(1);
  });

  it('is empty for a unit whose level reports no template, and refuses bad input with a code', async () => {
    expect((await getJson(p, '/api/v1/due?orgUnit=19&date=2026-08-01')).body.items).toEqual([]);
    const unknown = await getJson(p, '/api/v1/due?orgUnit=99999');
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('UNKNOWN_ORG_UNIT');
    const badDate = await getJson(p, `/api/v1/due?orgUnit=${A}&date=2026-02-30`);
    expect(badDate.status).toBe(400);
    expect(badDate.body.error.code).toBe('INVALID_REQUEST');
    expect((await getJson(p, '/api/v1/due')).body.error.code).toBe('INVALID_REQUEST');
  });
});
