import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountToken, as, bearer, startAuthPlatform, type AuthTestPlatform } from './auth-helpers';
import { householdValues } from './helpers';

/**
 * GET /reports?orgUnit=&subtree=true: a reviewer's list of the reports of its whole subtree (template, period and
 * status filters, pages by reportId), limited to units the caller may see.
 */
const PERIOD = '2026S1';

describe('GET /api/v1/reports?subtree=true', () => {
  let p: AuthTestPlatform;
  let reviewer19: string;
  let officer: string;
  let inside: string[];
  let outside: string;

  beforeAll(async () => {
    p = await startAuthPlatform();
    const unitsOf = async (code: string) => ((await as(p, p.adminToken).get(`/api/v1/org-units/${code}?hierarchy=2025`)).body.children as Array<{ code: string; level: string }>).filter((c) => c.level === 'commune');
    inside = (await unitsOf('19')).slice(0, 3).map((u) => u.code);
    outside = (await unitsOf('01'))[0]!.code;
    reviewer19 = await accountToken(p, 'rv.19', 'reviewer', '19');
    for (const commune of [...inside, outside]) {
      const token = await accountToken(p, `cb.${commune}`, 'commune_officer', commune);
      if (commune === inside[0]) officer = token;
      const r = await p.app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        payload: { template: 'M1719_S', orgUnit: commune, period: PERIOD, submissionId: `sub-${commune}`, values: householdValues(1000, 100) },
        headers: bearer(token),
      });
      expect(r.statusCode).toBe(202);
    }
    await p.waitUntilCaughtUp();
    // one of the province's reports approved at the district/province tier
    const approve = await as(p, reviewer19).post(`/api/v1/reports/report-M1719_S-${inside[1]}-${PERIOD}/approve`, { reason: 'ok' });
    expect(approve.status).toBeLessThan(300);
    await p.waitUntilCaughtUp();
  });
  afterAll(() => p.dispose());

  const list = (token: string, query: string) => as(p, token).get(`/api/v1/reports?subtree=true&${query}`);

  it("lists the reports of every unit below the reviewer's province, and none of another province", async () => {
    const r = await list(reviewer19, `orgUnit=19&template=M1719_S&period=${PERIOD}`);
    expect(r.status).toBe(200);
    expect(r.headers['x-hierarchy']).toBe('2025');
    expect(r.body.map((x: { orgUnit: string }) => x.orgUnit).sort()).toEqual([...inside].sort());
    expect(r.body[0]).not.toHaveProperty('values');
    expect(r.body[0]).not.toHaveProperty('history');
    expect(r.headers['x-next-after']).toBeUndefined();
  });

  it('filters by status', async () => {
    const approved = await list(reviewer19, `orgUnit=19&period=${PERIOD}&status=approved`);
    expect(approved.body.map((x: { orgUnit: string }) => x.orgUnit)).toEqual([inside[1]]);
    const submitted = await list(reviewer19, `orgUnit=19&period=${PERIOD}&status=submitted`);
    expect(submitted.body.map((x: { orgUnit: string }) => x.orgUnit).sort()).toEqual([inside[0], inside[2]].sort());
  });

  it('pages with limit and after: every report once, in reportId order', async () => {
    const first = await list(reviewer19, `orgUnit=19&period=${PERIOD}&limit=2`);
    expect(first.body).toHaveLength(2);
    const next = first.headers['x-next-after'] as string;
    expect(next).toBe(first.body[1].reportId);
    const second = await list(reviewer19, `orgUnit=19&period=${PERIOD}&limit=2&after=${next}`);
    expect(second.body).toHaveLength(1);
    expect(second.headers['x-next-after']).toBeUndefined();
    const ids = [...first.body, ...second.body].map((x: { reportId: string }) => x.reportId);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(3);
  });

  it('a national account lists the whole country; without orgUnit only national accounts may', async () => {
    const all = await list(p.adminToken, `period=${PERIOD}`);
    expect(all.status).toBe(200);
    expect(all.body).toHaveLength(4);
    expect((await list(reviewer19, `period=${PERIOD}`)).body.error.code).toBe('FORBIDDEN');
  });

  it("refuses a unit outside the caller's subtree, a commune officer asking for its province, and bad input", async () => {
    const other = await list(reviewer19, `orgUnit=01&period=${PERIOD}`);
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('FORBIDDEN');
    expect((await list(officer, `orgUnit=19&period=${PERIOD}`)).body.error.code).toBe('FORBIDDEN');
    // the officer's own unit is its subtree
    const own = await list(officer, `orgUnit=${inside[0]}&period=${PERIOD}`);
    expect(own.body.map((x: { orgUnit: string }) => x.orgUnit)).toEqual([inside[0]]);
    expect((await list(reviewer19, 'orgUnit=19&period=2026X9')).body.error.code).toMatch(/INVALID_PERIOD|INVALID_REQUEST/);
    expect((await list(reviewer19, 'orgUnit=19&subtree=maybe')).status).toBe(400);
    expect((await list(reviewer19, 'orgUnit=19&after=../x')).body.error.code).toBe('INVALID_REQUEST');
  });
});
