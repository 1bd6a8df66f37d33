import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startAuthPlatform, type AuthTestPlatform } from './auth-helpers';
import { startTestPlatform, type TestPlatform } from './helpers';

/**
 * The request schemas (TypeBox, shared pieces in packages/runtime/src/http/schemas.ts) are live on every route
 * that used to cast `request.body/query/params`: a request each schema refuses answers 400 INVALID_REQUEST with
 * the error shape, never a 500, and appends nothing. The account routes run with authentication on (as the
 * national administrator); the others with it off, so the access policy lets each request through to validation.
 */
const UUID = '00000000-0000-4000-8000-000000000000';
const REPORT = 'report-M1719_S-01840-2026S1';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

interface Refused {
  name: string;
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  payload?: unknown;
  headers?: Record<string, string>;
}

// auth (packages/auth/src/routes.ts)
const REFUSED_ACCOUNTS: Refused[] = [
  { name: 'login without a password', method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin' } },
  { name: 'an account with a malformed username', method: 'POST', url: '/api/v1/accounts', payload: { username: 'A b', password: 'x-long-password-1719', role: 'reviewer', orgUnit: '19' } },
  { name: 'an account with an unknown role', method: 'POST', url: '/api/v1/accounts', payload: { username: 'bob.x', password: 'x-long-password-1719', role: 'king', orgUnit: '19' } },
  { name: 'a token living 0 days', method: 'POST', url: '/api/v1/accounts/admin/tokens', payload: { name: 't', ttlDays: 0 } },
  { name: 'revoking a malformed jti', method: 'POST', url: '/api/v1/accounts/admin/tokens/not-a-jti/revoke' },
  { name: 'an e-mail address that is not one', method: 'POST', url: '/api/v1/accounts/admin/email', payload: { email: 'nobody' } },
];

const REFUSED: Refused[] = [
  // notification (services/notification/src/routes.ts)
  { name: 'an inbox limit that is not a number', method: 'GET', url: '/api/v1/inbox?orgUnit=19&limit=ten' },
  { name: 'a preference for an unknown language', method: 'PUT', url: '/api/v1/inbox/preferences', payload: { language: 'fr' } },
  { name: 'a task due on a non-date', method: 'POST', url: '/api/v1/tasks', payload: { title: 'x', dueDate: '31/12/2026', orgUnits: ['19'] } },
  { name: 'tasks with an unknown status', method: 'GET', url: '/api/v1/tasks?orgUnit=19&status=closed' },
  { name: 'marking a malformed task id done', method: 'POST', url: '/api/v1/tasks/not-a-task/done', payload: {} },
  { name: 'a webhook for an unknown event kind', method: 'POST', url: '/api/v1/webhooks', payload: { url: 'https://example.org/h', events: ['nope'], orgUnit: 'VN', secret: '0123456789abcdef' } },
  { name: 'deliveries in an unknown state', method: 'GET', url: `/api/v1/webhooks/${UUID}/deliveries?state=lost` },
  // projection (services/projection/src/due-routes.ts)
  { name: 'due list for a date that is not one', method: 'GET', url: '/api/v1/due?orgUnit=01840&date=tomorrow' },
  // sync (services/sync/src/sync-routes.ts)
  { name: 'a pull after a negative position', method: 'GET', url: '/api/v1/sync/events?after=-1' },
  { name: 'a push whose events are not a list', method: 'POST', url: '/api/v1/sync/events', payload: { events: 'all of them' } },
  // ingestion (routes.ts, workflow-routes.ts, forms/form-routes.ts, data-value-sets/data-value-set-routes.ts)
  {
    name: 'a report with a malformed submissionId',
    method: 'POST',
    url: '/api/v1/reports',
    payload: { template: 'M1719_S', orgUnit: '01840', period: '2026S1', submissionId: 'has space', values: [] },
  },
  { name: 'a return without its reason', method: 'POST', url: `/api/v1/reports/${REPORT}/return`, payload: { level: 'district' } },
  { name: 'approving what is not a report id', method: 'POST', url: '/api/v1/reports/not-a-report/approve', payload: {} },
  { name: 'a form with children=yes', method: 'GET', url: '/api/v1/forms/xlsx?template=M1719_S&orgUnit=01840&period=2026S1&children=yes' },
  { name: 'a form upload with dryRun=maybe', method: 'POST', url: '/api/v1/forms/xlsx?dryRun=maybe', payload: Buffer.from('PK'), headers: { 'content-type': XLSX } },
  { name: 'an export without its org unit', method: 'GET', url: '/api/v1/dataValueSets?dataSet=M1719_S&period=2026S1' },
  { name: 'an import with an unknown strategy', method: 'POST', url: '/api/v1/dataValueSets?importStrategy=MERGE', payload: { dataValues: [] } },
  // indicator (services/indicator/src/routes.ts)
  { name: 'the catalog with latest=yes', method: 'GET', url: '/api/v1/catalog?latest=yes' },
  { name: 'a target with an unknown operator', method: 'PUT', url: '/api/v1/targets', payload: { indicator: 'POVERTY_RATE', orgUnit: '19', period: '2026', operator: '=~', value: 1 } },
  { name: 'targets for a malformed period', method: 'GET', url: '/api/v1/targets?orgUnit=19&period=2026X' },
  { name: 'alerts without a unit', method: 'GET', url: '/api/v1/alerts' },
  { name: 'a composite with decimals=two', method: 'GET', url: '/api/v1/composites/POVERTY_RATE?period=2026&decimals=two' },
  // open data (services/open-data/src/routes.ts)
  { name: 'a download with limit=0', method: 'GET', url: '/api/v1/open-data/datasets/province-rollups-m1719-s.csv?limit=0' },
  { name: 'a dataset with a malformed id', method: 'POST', url: '/api/v1/open-data/datasets', payload: { id: 'Bad Id', title: { vi: 'a', en: 'b' } } },
  { name: 'a release embargoed until a number', method: 'POST', url: '/api/v1/open-data/datasets/province-rollups-m1719-s/releases', payload: { embargoUntil: 5 } },
];

async function expectRefused(p: TestPlatform, { method, url, payload, headers }: Refused, auth: Record<string, string> = {}): Promise<void> {
  const head = await p.platform.store.headPosition();
  const r = await p.app.inject({ method, url, headers: { ...auth, ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) });
  expect(r.statusCode, r.body).toBe(400);
  expect(r.json().error.code).toBe('INVALID_REQUEST');
  // refused by the route's schema (fastify's validation), before any handler code ran
  expect(r.json().error.message).toMatch(/^request (body|querystring|params) is invalid/);
  expect(await p.platform.store.headPosition()).toBe(head);
}

describe('request schemas of the account routes (authentication on)', () => {
  let p: AuthTestPlatform;
  beforeAll(async () => {
    p = await startAuthPlatform({ withCatalog: false });
  });
  afterAll(() => p.dispose());

  it.each(REFUSED_ACCOUNTS)('refuses $name with 400 INVALID_REQUEST', async (request) => {
    await expectRefused(p, request, bearer(p.adminToken));
  });
});

describe('request schemas: every converted route refuses what its schema refuses with 400 INVALID_REQUEST', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform();
  });
  afterAll(() => p.dispose());

  it.each(REFUSED)('refuses $name', async (request) => {
    await expectRefused(p, request);
  });

  it('still lets a well-formed request through the same schemas (the validation refuses only what it should)', async () => {
    const due = await p.app.inject({ method: 'GET', url: '/api/v1/due?orgUnit=01840&date=2026-08-01' });
    expect(due.statusCode, due.body).toBe(200);
    const targets = await p.app.inject({ method: 'GET', url: '/api/v1/targets?orgUnit=19&period=2026' });
    expect(targets.statusCode, targets.body).toBe(200);
    expect(targets.json()).toEqual({ orgUnit: '19', targets: [] });
  });

  it('accepts a dataset description in one language (the other is empty text), where it used to fail with a 500', async () => {
    const r = await p.app.inject({
      method: 'POST',
      url: '/api/v1/open-data/datasets',
      payload: { id: 'one-language', title: { vi: 'Hộ nghèo', en: 'Poor households' }, description: { vi: 'Chỉ tiếng Việt' }, templates: ['M1719_S'] },
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().dataset.description).toEqual({ vi: 'Chỉ tiếng Việt', en: '' });
  });
});
