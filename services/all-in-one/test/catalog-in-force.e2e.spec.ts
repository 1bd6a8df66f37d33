import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCatalog } from '../src';
import { getJson, householdValues, startTestPlatform, submit, type TestPlatform } from './helpers';

/**
 * The catalog version in force is one a user can predict: among versions with the same effectiveFrom the
 * later publication wins; publishing says which days the version now governs and which version it
 * displaced; GET /catalog shows the version in force today unless asked for another.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const put = async (p: TestPlatform, catalog: Json) => {
  const r = await p.app.inject({ method: 'PUT', url: '/api/v1/catalog', payload: catalog });
  return { status: r.statusCode, body: r.json() as Json };
};

/** The demo catalog under another version, its report template renamed so M1719_S is unknown in it. */
function withoutM1719(version: string): Json {
  const c = demoCatalog() as Json;
  for (const t of c.templates) t.code = t.code.replace('M1719', 'HX');
  return { ...c, version };
}

describe('catalog version in force', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform({ withCatalog: false });
  });
  afterAll(() => p.dispose());

  it('answers 404 while nothing is published', async () => {
    const r = await getJson(p, '/api/v1/catalog');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  });

  it('lets a later publication with the same effectiveFrom take effect, and says what it displaced', async () => {
    const first = await put(p, withoutM1719('hx-1'));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ version: 'hx-1', created: true, governs: [{ from: '2021-01-01', to: null }], displaced: [] });
    const refused = await submit(p, { orgUnit: '01840', period: '2026S1', submissionId: 'before-good', values: householdValues(10, 1) });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('UNKNOWN_TEMPLATE');

    // 'good-1' sorts before 'hx-1' as a string: the publication order decides, not the version string
    const good = await put(p, { ...(demoCatalog() as Json), version: 'good-1' });
    expect(good.status).toBe(201);
    expect(good.body).toMatchObject({ version: 'good-1', governs: [{ from: '2021-01-01', to: null }], displaced: [{ version: 'hx-1', from: '2021-01-01', to: null }] });
    expect((await getJson(p, '/api/v1/catalog')).body.version).toBe('good-1');
    expect((await getJson(p, '/api/v1/catalog?date=2026-06-30')).body.version).toBe('good-1');
    const accepted = await submit(p, { orgUnit: '01840', period: '2026S1', submissionId: 'after-good', values: householdValues(10, 1) });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  });

  it('shows the version in force today by default, the last published with ?latest=true, any with ?version=', async () => {
    const future = await put(p, { ...(demoCatalog() as Json), version: 'future-1', effectiveFrom: '2099-01-01' });
    expect(future.status).toBe(201);
    expect(future.body).toMatchObject({ governs: [{ from: '2099-01-01', to: null }], displaced: [{ version: 'good-1', from: '2099-01-01', to: null }] });
    expect((await getJson(p, '/api/v1/catalog')).body.version).toBe('good-1');
    expect((await getJson(p, '/api/v1/catalog?latest=true')).body.version).toBe('future-1');
    expect((await getJson(p, '/api/v1/catalog?date=2099-06-30')).body.version).toBe('future-1');
    expect((await getJson(p, '/api/v1/catalog?version=hx-1')).body.version).toBe('hx-1');
    // publishing good-1 again is a no-op that reports what it governs now and what it displaced then
    const again = await put(p, { ...(demoCatalog() as Json), version: 'good-1' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, governs: [{ from: '2021-01-01', to: '2098-12-31' }], displaced: [{ version: 'hx-1', from: '2021-01-01', to: null }] });
  });

  it('refuses contradictory or malformed selectors with 400 and an unknown version with 404', async () => {
    const both = await getJson(p, '/api/v1/catalog?version=hx-1&latest=true');
    expect(both.status).toBe(400);
    expect(both.body.error.code).toBe('INVALID_REQUEST');
    expect((await getJson(p, '/api/v1/catalog?latest=yes')).status).toBe(400);
    const unknown = await getJson(p, '/api/v1/catalog?version=nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
  });
});
