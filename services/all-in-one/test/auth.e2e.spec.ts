import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, accountToken, as, bearer, login, startAuthPlatform, type AuthTestPlatform } from './auth-helpers';
import { DEFAULT_SCRYPT, runAccountCli } from '@tally/auth';
import { householdValues } from './helpers';

/**
 * Accounts, sign-in, tokens, and authorization everywhere: every route has a policy; every role on every
 * endpoint; a caller from another unit gets 403 and nothing changes.
 * On the 2025 map: commune A (01840) is in province 19 (Thái Nguyên), commune B (00004) in province 01 (Hà Nội).
 */
const A = '01840';
const B = '00004';
const PERIOD = '2026S1';
const REPORT_A = `report-M1719_S-${A}-${PERIOD}`;
const reportOf = (orgUnit: string, submissionId: string, total = 100) => ({ template: 'M1719_S', orgUnit, period: PERIOD, submissionId, values: householdValues(total, 10) });

describe('accounts and sign-in', () => {
  let p: AuthTestPlatform;
  beforeAll(async () => {
    p = await startAuthPlatform({ auth: { scrypt: DEFAULT_SCRYPT } });
  });
  afterAll(() => p.dispose());

  it('signs the bootstrap admin in with TALLY_ADMIN_PASSWORD and answers {token}', async () => {
    const r = await as(p, undefined).post('/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    expect(r.status).toBe(200);
    expect(typeof r.body.token).toBe('string');
    expect(r.body.account).toEqual({ username: 'admin', role: 'central_admin', orgUnit: 'VN' });
    const me = await as(p, r.body.token).get('/api/v1/auth/me');
    expect(me.body).toMatchObject({ username: 'admin', role: 'central_admin', tokenKind: 'session' });
  });

  it('refuses a wrong password or an unknown user with the same 401, never echoing the password', async () => {
    const wrong = await as(p, undefined).post('/api/v1/auth/login', { username: 'admin', password: 'guess-guess-guess' });
    const unknown = await as(p, undefined).post('/api/v1/auth/login', { username: 'nobody', password: 'guess-guess-guess' });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.text).not.toContain('guess-guess-guess');
  });

  it('lets only an administrator create accounts (POST /api/v1/accounts {username,password,role,orgUnit})', async () => {
    const body = { username: 'cb.a', password: 'commune-pass-1', role: 'commune_officer', orgUnit: A };
    expect((await as(p, undefined).post('/api/v1/accounts', body)).status).toBe(401);
    const created = await as(p, p.adminToken).post('/api/v1/accounts', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'cb.a', role: 'commune_officer', orgUnit: A, disabled: false });
    expect(created.text).not.toContain('scrypt');
    const officer = await login(p, 'cb.a', 'commune-pass-1');
    expect((await as(p, officer).post('/api/v1/accounts', { ...body, username: 'cb.other' })).status).toBe(403);
    expect((await as(p, p.adminToken).post('/api/v1/accounts', body)).status).toBe(409);
    expect((await as(p, p.adminToken).post('/api/v1/accounts', { ...body, username: 'x.y', role: 'king' })).status).toBe(400);
    expect((await as(p, p.adminToken).post('/api/v1/accounts', { ...body, username: 'x.y', orgUnit: '99999' })).body.error.code).toBe('UNKNOWN_ORG_UNIT');
    expect((await as(p, p.adminToken).post('/api/v1/accounts', { ...body, username: 'x.y', password: 'short' })).status).toBe(400);
    const list = await as(p, p.adminToken).get('/api/v1/accounts');
    expect(list.body.accounts.map((a: { username: string }) => a.username)).toEqual(['admin', 'cb.a']);
    expect(list.text).not.toContain('passwordHash');
  });

  it('ends a session on logout, on a password change, and when the account is disabled', async () => {
    const t1 = await accountToken(p, 'cb.logout', 'commune_officer', A);
    expect((await as(p, t1).post('/api/v1/auth/logout')).status).toBe(204);
    expect((await as(p, t1).get('/api/v1/auth/me')).status).toBe(401);

    const t2 = await login(p, 'cb.logout', 'x-pass-1719');
    const t3 = await login(p, 'cb.logout', 'x-pass-1719');
    expect((await as(p, t2).post('/api/v1/auth/password', { currentPassword: 'wrong-wrong-1', newPassword: 'new-password-1719' })).status).toBe(400);
    expect((await as(p, t2).post('/api/v1/auth/password', { currentPassword: 'x-pass-1719', newPassword: 'new-password-1719' })).status).toBe(204);
    expect((await as(p, t3).get('/api/v1/auth/me')).status).toBe(401);
    const t4 = await login(p, 'cb.logout', 'new-password-1719');
    expect((await as(p, t4).get('/api/v1/auth/me')).status).toBe(200);

    expect((await as(p, p.adminToken).post('/api/v1/accounts/cb.logout/disable', { reason: 'left the job' })).body.disabled).toBe(true);
    expect((await as(p, t4).get('/api/v1/auth/me')).status).toBe(401);
    expect((await as(p, undefined).post('/api/v1/auth/login', { username: 'cb.logout', password: 'new-password-1719' })).status).toBe(401);
    expect((await as(p, p.adminToken).post('/api/v1/accounts/cb.logout/enable', {})).body.disabled).toBe(false);
    expect((await as(p, await login(p, 'cb.logout', 'new-password-1719')).get('/api/v1/auth/me')).status).toBe(200);
  });

  it('issues long-lived API tokens for systems, revocable by id', async () => {
    await accountToken(p, 'sys.import', 'commune_officer', A);
    const issued = await as(p, p.adminToken).post('/api/v1/accounts/sys.import/tokens', { name: 'DHIS2 bridge', ttlDays: 30 });
    expect(issued.status).toBe(201);
    const system = as(p, issued.body.token);
    expect((await system.get('/api/v1/auth/me')).body).toMatchObject({ username: 'sys.import', tokenKind: 'api' });
    expect((await system.post('/api/v1/reports', reportOf(A, 'api-1'))).status).toBe(202);
    expect((await as(p, p.adminToken).post(`/api/v1/accounts/sys.import/tokens/${issued.body.jti}/revoke`)).status).toBe(204);
    expect((await system.get('/api/v1/auth/me')).status).toBe(401);
    const account = await as(p, p.adminToken).get('/api/v1/accounts/sys.import');
    expect(account.body.apiTokens).toEqual([{ jti: issued.body.jti, name: 'DHIS2 bridge', expiresAt: issued.body.expiresAt, revoked: true }]);
  });

  it('stores passwords as memory-hard scrypt hashes, never in clear', async () => {
    const created = (await p.platform.store.readStream('account-admin'))[0]!;
    const hash = (created.data as { passwordHash: string }).passwordHash;
    expect(hash.startsWith(`scrypt$${DEFAULT_SCRYPT.N}$8$1$`)).toBe(true);
    expect(JSON.stringify(created)).not.toContain(ADMIN_PASSWORD);
  });

  it('creates accounts and API tokens from the CLI too', async () => {
    let out = '';
    const code = await runAccountCli(p.auth.service, ['create', 'cli.made', 'analyst', '19'], (t) => (out += t), { USER: 'ops', TALLY_NEW_PASSWORD: 'cli-chosen-pass-1' });
    expect(code).toBe(0);
    expect(out).toContain('created cli.made (analyst of 19)');
    expect(out).not.toContain('cli-chosen-pass-1');
    expect((await as(p, await login(p, 'cli.made', 'cli-chosen-pass-1')).get('/api/v1/auth/me')).body.role).toBe('analyst');
    const events = await p.platform.store.readStream('account-cli.made');
    expect(events[0]!.actor).toMatchObject({ id: 'cli:ops', origin: 'cli' });
    out = '';
    expect(await runAccountCli(p.auth.service, ['token', 'cli.made', 'nightly export'], (t) => (out += t), {})).toBe(0);
    const token = out.trim().split('\n').at(-1)!;
    expect((await as(p, token).get('/api/v1/auth/me')).body.tokenKind).toBe('api');
    expect(await runAccountCli(p.auth.service, ['nonsense'], () => {}, {})).toBe(2);
  });

  it('refuses forged, expired-looking and malformed tokens with 401', async () => {
    const [v, payload] = p.adminToken.split('.') as [string, string];
    for (const token of [`${v}.${payload}.AAAA`, 'tly1.e30.e30', 'not a token', 'x'.repeat(5000)]) {
      const r = await p.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
      expect(r.statusCode).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Bearer');
    }
    const basic = await p.app.inject({ method: 'GET', url: '/api/v1/catalog', headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } });
    expect(basic.statusCode).toBe(401);
  });

  it('rate limits failed sign-ins per username and address (429 + Retry-After), and audits them as events', async () => {
    await accountToken(p, 'cb.target', 'commune_officer', A);
    const before = await p.platform.store.streamVersion('account-cb.target');
    for (let i = 0; i < 5; i++) expect((await as(p, undefined).post('/api/v1/auth/login', { username: 'cb.target', password: `wrong-${i}-password` })).status).toBe(401);
    const blocked = await as(p, undefined).post('/api/v1/auth/login', { username: 'cb.target', password: 'x-pass-1719' });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('RATE_LIMITED');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    const events = await p.platform.store.readStream('account-cb.target', before + 1);
    expect(events.map((e) => e.type)).toEqual(Array(5).fill('tally.account.login-failed'));
    expect(events[0]!.actor).toMatchObject({ id: 'anonymous', origin: '127.0.0.1' });
    expect(JSON.stringify(events)).not.toContain('wrong-0-password');
    // unknown usernames are audited too, on their own stream
    const unknown = await p.platform.store.readStream('account-_unknown');
    expect(unknown.some((e) => (e.data as { username: string }).username === 'nobody')).toBe(true);
  });
});

describe('request rate limits and secrets in logs', () => {
  let p: AuthTestPlatform;
  let logs = '';
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        logs += String(chunk);
        done();
      },
    });
    // no redaction configured here: the code itself must never log a secret
    const logger = pino({ level: 'debug' }, sink);
    p = await startAuthPlatform({ auth: { rateLimit: { burst: 5, perSec: 0.5 } }, logger: logger as never });
  });
  afterAll(() => p.dispose());

  it('answers 429 with Retry-After once an account spends its budget; other accounts are unaffected', async () => {
    const token = await accountToken(p, 'cb.busy', 'commune_officer', A);
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 8; i++) {
      last = await as(p, token).get('/api/v1/catalog/versions');
      statuses.push(last.status);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(3);
    expect(last!.body.error.code).toBe('RATE_LIMITED');
    expect(Number(last!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const other = await accountToken(p, 'cb.calm', 'commune_officer', A);
    expect((await as(p, other).get('/api/v1/catalog/versions')).status).toBe(200);
  });

  it('never writes a password or a token to the logs', async () => {
    const t = await login(p, 'admin', ADMIN_PASSWORD);
    await p.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'secret-typo-password' } });
    await p.app.inject({ method: 'GET', url: '/api/v1/no-such-route', headers: bearer(t) });
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [ADMIN_PASSWORD, 'secret-typo-password', t, t.split('.')[2]!, 'test-secret-test-secret']) expect(logs).not.toContain(secret);
  });
});

type Caller = 'anonymous' | 'officer' | 'officerB' | 'reviewer' | 'reviewerB' | 'admin' | 'operator' | 'analyst' | 'analystVN';
type Expect = 'ok' | 401 | 403;
const CALLERS: Caller[] = ['anonymous', 'officer', 'officerB', 'reviewer', 'reviewerB', 'admin', 'operator', 'analyst', 'analystVN'];

interface Case {
  method: 'GET' | 'POST' | 'PUT';
  /** the route pattern this case exercises */
  route: string;
  url: string;
  body?: () => unknown;
  /** callers allowed; every other authenticated caller gets 403, anonymous 401 (unless public) */
  ok: Caller[] | 'all' | 'authenticated';
}

const readersOfA: Caller[] = ['officer', 'reviewer', 'admin', 'analyst', 'analystVN'];
const reviewersOfA: Caller[] = ['reviewer'];

const CASES: Case[] = [
  { method: 'GET', route: '/health', url: '/health', ok: 'all' },
  { method: 'GET', route: '/health/ready', url: '/health/ready', ok: 'all' },
  { method: 'GET', route: '/api/v1/open-data/datasets', url: '/api/v1/open-data/datasets', ok: 'all' },
  { method: 'GET', route: '/api/v1/open-data/datasets/:name', url: '/api/v1/open-data/datasets/m1719-s', ok: 'all' },
  { method: 'GET', route: '/api/v1/open-data/datasets/:name/datapackage.json', url: '/api/v1/open-data/datasets/province-rollups-m1719-s/datapackage.json', ok: 'all' },
  { method: 'GET', route: '/api/v1/open-data/datasets/:name/releases', url: '/api/v1/open-data/datasets/province-rollups-m1719-s/releases', ok: 'all' },
  { method: 'GET', route: '/api/v1/open-data/datasets/:name/releases/:file', url: '/api/v1/open-data/datasets/province-rollups-m1719-s/releases/1.csv', ok: 'all' },
  { method: 'GET', route: '/api/v1/open-data/datasets/:name/releases/:file/datapackage.json', url: '/api/v1/open-data/datasets/x/releases/1/datapackage.json', ok: 'all' },
  { method: 'GET', route: '/api/v1/open-data/catalog.jsonld', url: '/api/v1/open-data/catalog.jsonld', ok: 'all' },
  { method: 'GET', route: '/api/v1/open-data/openapi.json', url: '/api/v1/open-data/openapi.json', ok: 'all' },
  {
    method: 'POST',
    route: '/api/v1/open-data/datasets',
    url: '/api/v1/open-data/datasets',
    body: () => ({ id: 'matrix-households', title: { vi: 'Hộ', en: 'Households' }, templates: ['M1719_S'] }),
    ok: ['admin'],
  },
  { method: 'PUT', route: '/api/v1/open-data/datasets/:name', url: '/api/v1/open-data/datasets/matrix-households', body: () => ({ title: { vi: 'Hộ gia đình', en: 'Households' }, templates: ['M1719_S'] }), ok: ['admin'] },
  { method: 'POST', route: '/api/v1/open-data/datasets/:name/releases', url: '/api/v1/open-data/datasets/matrix-households/releases', body: () => ({}), ok: ['admin'] },
  { method: 'GET', route: '/api/v1/health', url: '/api/v1/health', ok: ['operator'] },
  { method: 'GET', route: '/api/v1/auth/me', url: '/api/v1/auth/me', ok: 'authenticated' },
  { method: 'POST', route: '/api/v1/auth/password', url: '/api/v1/auth/password', body: () => ({ currentPassword: 'wrong-wrong-1', newPassword: 'whatever-1719' }), ok: 'authenticated' },
  { method: 'GET', route: '/api/v1/catalog', url: '/api/v1/catalog', ok: 'authenticated' },
  { method: 'GET', route: '/api/v1/catalog/versions', url: '/api/v1/catalog/versions', ok: 'authenticated' },
  { method: 'PUT', route: '/api/v1/catalog', url: '/api/v1/catalog', body: () => ({ version: 'x' }), ok: ['admin'] },
  { method: 'GET', route: '/api/v1/catalog/xlsx', url: '/api/v1/catalog/xlsx', ok: 'authenticated' },
  // a JSON body: the publisher reaches the handler (415 UNSUPPORTED_MEDIA_TYPE), nothing is published
  { method: 'PUT', route: '/api/v1/catalog/xlsx', url: '/api/v1/catalog/xlsx', body: () => ({ version: 'x' }), ok: ['admin'] },
  { method: 'GET', route: '/api/v1/hierarchies', url: '/api/v1/hierarchies', ok: 'authenticated' },
  {
    method: 'POST',
    route: '/api/v1/hierarchies/:version/changes',
    url: '/api/v1/hierarchies/2025/changes',
    // refused by the domain (a unit with children cannot be retired): reaches the handler, changes nothing
    body: () => ({ change: { kind: 'retire', code: '19' }, reason: 'role matrix' }),
    ok: ['admin'],
  },
  { method: 'GET', route: '/api/v1/org-units', url: '/api/v1/org-units?search=Th%C3%A1i', ok: 'authenticated' },
  { method: 'GET', route: '/api/v1/org-units/:code', url: '/api/v1/org-units/19', ok: 'authenticated' },
  { method: 'GET', route: '/api/v1/accounts', url: '/api/v1/accounts', ok: ['admin'] },
  { method: 'POST', route: '/api/v1/accounts', url: '/api/v1/accounts', body: () => ({ username: 'matrix.x', password: 'short', role: 'analyst', orgUnit: 'VN' }), ok: ['admin'] },
  { method: 'GET', route: '/api/v1/accounts/:username', url: '/api/v1/accounts/admin', ok: ['admin'] },
  { method: 'POST', route: '/api/v1/accounts/:username/disable', url: '/api/v1/accounts/nobody.here/disable', body: () => ({}), ok: ['admin'] },
  { method: 'POST', route: '/api/v1/accounts/:username/enable', url: '/api/v1/accounts/nobody.here/enable', body: () => ({}), ok: ['admin'] },
  { method: 'POST', route: '/api/v1/accounts/:username/password', url: '/api/v1/accounts/nobody.here/password', body: () => ({ newPassword: 'another-pass-1719' }), ok: ['admin'] },
  { method: 'POST', route: '/api/v1/accounts/:username/tokens', url: '/api/v1/accounts/nobody.here/tokens', body: () => ({ name: 'x' }), ok: ['admin'] },
  {
    method: 'POST',
    route: '/api/v1/accounts/:username/tokens/:jti/revoke',
    url: '/api/v1/accounts/nobody.here/tokens/00000000-0000-0000-0000-000000000000/revoke',
    body: () => ({}),
    ok: ['admin'],
  },
  { method: 'POST', route: '/api/v1/reports', url: '/api/v1/reports', body: () => reportOf(A, `m-${Math.random()}`, 100), ok: ['officer'] },
  { method: 'GET', route: '/api/v1/reports', url: `/api/v1/reports?orgUnit=${A}`, ok: readersOfA },
  { method: 'GET', route: '/api/v1/reports', url: '/api/v1/reports', ok: ['admin', 'analystVN'] },
  // a reviewer's list of its subtree's reports: the unit named must be inside the caller's subtree
  { method: 'GET', route: '/api/v1/reports', url: `/api/v1/reports?orgUnit=${A}&subtree=true`, ok: readersOfA },
  { method: 'GET', route: '/api/v1/reports', url: '/api/v1/reports?orgUnit=19&subtree=true&period=2026S1', ok: ['reviewer', 'admin', 'analyst', 'analystVN'] },
  { method: 'GET', route: '/api/v1/reports', url: '/api/v1/reports?subtree=true', ok: ['admin', 'analystVN'] },
  { method: 'GET', route: '/api/v1/reports/:reportId', url: `/api/v1/reports/${REPORT_A}`, ok: readersOfA },
  { method: 'GET', route: '/api/v1/reports/:reportId/audit', url: `/api/v1/reports/${REPORT_A}/audit`, ok: readersOfA },
  { method: 'POST', route: '/api/v1/reports/:reportId/return', url: `/api/v1/reports/${REPORT_A}/return`, body: () => ({ reason: 'check' }), ok: reviewersOfA },
  { method: 'POST', route: '/api/v1/reports/:reportId/approve', url: `/api/v1/reports/${REPORT_A}/approve`, body: () => ({}), ok: reviewersOfA },
  { method: 'POST', route: '/api/v1/reports/:reportId/lock', url: `/api/v1/reports/${REPORT_A}/lock`, body: () => ({}), ok: reviewersOfA },
  { method: 'POST', route: '/api/v1/reports/:reportId/unlock', url: `/api/v1/reports/${REPORT_A}/unlock`, body: () => ({ reason: 'fix' }), ok: reviewersOfA },
  { method: 'GET', route: '/api/v1/rollups', url: `/api/v1/rollups?orgUnit=${A}&period=${PERIOD}`, ok: readersOfA },
  { method: 'GET', route: '/api/v1/rollups', url: `/api/v1/rollups?orgUnit=19&period=${PERIOD}`, ok: ['reviewer', 'admin', 'analyst', 'analystVN'] },
  { method: 'GET', route: '/api/v1/rollups', url: `/api/v1/rollups?orgUnit=VN&period=${PERIOD}`, ok: ['admin', 'analystVN'] },
  { method: 'GET', route: '/api/v1/completeness', url: `/api/v1/completeness?orgUnit=${A}&period=${PERIOD}&template=M1719_S`, ok: readersOfA },
  { method: 'GET', route: '/api/v1/completeness', url: `/api/v1/completeness?orgUnit=19&period=${PERIOD}&template=M1719_S`, ok: ['reviewer', 'admin', 'analyst', 'analystVN'] },
  { method: 'GET', route: '/api/v1/inbox', url: `/api/v1/inbox?orgUnit=${A}`, ok: ['officer', 'reviewer'] },
  // notifications (docs/notifications.md): an inbox without orgUnit is the caller's own; units named in bodies are checked by the handler
  { method: 'GET', route: '/api/v1/inbox', url: '/api/v1/inbox?unread=true', ok: ['officer', 'officerB', 'reviewer', 'reviewerB'] },
  { method: 'POST', route: '/api/v1/inbox/:id/read', url: '/api/v1/inbox/no-such-message/read', body: () => ({}), ok: ['officer', 'officerB', 'reviewer', 'reviewerB'] },
  { method: 'POST', route: '/api/v1/inbox/read-all', url: '/api/v1/inbox/read-all', body: () => ({}), ok: ['officer', 'officerB', 'reviewer', 'reviewerB'] },
  { method: 'POST', route: '/api/v1/inbox/read-all', url: '/api/v1/inbox/read-all', body: () => ({ orgUnit: A }), ok: ['officer', 'reviewer'] },
  { method: 'GET', route: '/api/v1/inbox/preferences', url: '/api/v1/inbox/preferences', ok: 'authenticated' },
  { method: 'PUT', route: '/api/v1/inbox/preferences', url: '/api/v1/inbox/preferences', body: () => ({ language: 'en' }), ok: 'authenticated' },
  { method: 'POST', route: '/api/v1/tasks', url: '/api/v1/tasks', body: () => ({ title: 'Kiểm tra', orgUnits: [A], dueDate: '2026-08-01' }), ok: ['reviewer', 'admin'] },
  { method: 'GET', route: '/api/v1/tasks', url: `/api/v1/tasks?orgUnit=${A}`, ok: readersOfA },
  { method: 'POST', route: '/api/v1/tasks/:taskId/done', url: '/api/v1/tasks/00000000-0000-0000-0000-000000000000/done', body: () => ({}), ok: ['officer', 'officerB', 'reviewer', 'reviewerB'] },
  {
    method: 'POST',
    route: '/api/v1/webhooks',
    url: '/api/v1/webhooks',
    body: () => ({ url: 'https://hooks.example.org/tally', events: ['*'], orgUnit: A, secret: 'a-long-enough-secret' }),
    ok: ['reviewer', 'admin'],
  },
  { method: 'GET', route: '/api/v1/webhooks/:id/deliveries', url: '/api/v1/webhooks/00000000-0000-0000-0000-000000000000/deliveries', ok: ['reviewer', 'reviewerB', 'admin'] },
  {
    method: 'POST',
    route: '/api/v1/webhooks/:id/deliveries/:deliveryId/retry',
    url: `/api/v1/webhooks/00000000-0000-0000-0000-000000000000/deliveries/${'0'.repeat(32)}/retry`,
    body: () => ({}),
    ok: ['reviewer', 'reviewerB', 'admin'],
  },
  { method: 'POST', route: '/api/v1/accounts/:username/email', url: '/api/v1/accounts/nobody.here/email', body: () => ({ email: 'x@example.org' }), ok: ['admin'] },
  {
    method: 'PUT',
    route: '/api/v1/targets',
    url: '/api/v1/targets',
    body: () => ({ indicator: 'POVERTY_RATE', orgUnit: A, period: PERIOD, operator: '<=', value: 10 }),
    ok: ['admin'],
  },
  { method: 'GET', route: '/api/v1/targets', url: `/api/v1/targets?orgUnit=${A}`, ok: readersOfA },
  { method: 'GET', route: '/api/v1/alerts', url: `/api/v1/alerts?orgUnit=${A}&period=${PERIOD}`, ok: readersOfA },
  // composites are subtree-scoped like the rollups they are made of (docs/security.md): the ranked units' parent must be the caller's
  { method: 'GET', route: '/api/v1/composites/:code', url: `/api/v1/composites/NTP1719_PROGRESS?period=${PERIOD}&level=province`, ok: ['admin', 'analystVN'] },
  { method: 'GET', route: '/api/v1/composites/:code', url: `/api/v1/composites/NTP1719_PROGRESS?period=${PERIOD}&level=commune&parent=19`, ok: ['reviewer', 'admin', 'analyst', 'analystVN'] },
  { method: 'GET', route: '/api/v1/composites/:code', url: `/api/v1/composites/NTP1719_PROGRESS?period=${PERIOD}&level=commune&parent=${A}`, ok: readersOfA },
  // the web app (public) and what a unit has to report (issue 13)
  { method: 'GET', route: '/', url: '/', ok: 'all' },
  { method: 'GET', route: '/assets/*', url: '/assets/no-such-file.js', ok: 'all' },
  { method: 'GET', route: '/sw.js', url: '/sw.js', ok: 'all' },
  { method: 'GET', route: '/api/v1/due', url: `/api/v1/due?orgUnit=${A}`, ok: readersOfA },
  // file imports and exports (issue 15): an upload is checked per unit inside the file
  { method: 'GET', route: '/api/v1/forms/xlsx', url: `/api/v1/forms/xlsx?template=M1719_S&orgUnit=${A}&period=${PERIOD}`, ok: readersOfA },
  { method: 'POST', route: '/api/v1/forms/xlsx', url: '/api/v1/forms/xlsx', body: () => ({}), ok: ['officer', 'officerB'] },
  // data value sets: a JSON body without dataValues reaches the handler (400) and changes nothing; an export outside the caller is 403
  { method: 'POST', route: '/api/v1/dataValueSets', url: '/api/v1/dataValueSets?dryRun=true', body: () => ({}), ok: ['officer', 'officerB'] },
  { method: 'GET', route: '/api/v1/dataValueSets', url: `/api/v1/dataValueSets?dataSet=M1719_S&period=${PERIOD}&orgUnit=${A}`, ok: readersOfA },
  { method: 'GET', route: '/api/v1/dataValueSets/jobs/:id', url: '/api/v1/dataValueSets/jobs/00000000-0000-0000-0000-000000000000', ok: ['officer', 'officerB'] },
  // federation: only sync accounts exchange events (none in this matrix); the link's status is operations
  { method: 'GET', route: '/api/v1/sync/events', url: '/api/v1/sync/events?after=0', ok: [] },
  { method: 'POST', route: '/api/v1/sync/events', url: '/api/v1/sync/events', body: () => ({ events: [] }), ok: [] },
  { method: 'GET', route: '/api/v1/sync/status', url: '/api/v1/sync/status', ok: ['operator'] },
  { method: 'POST', route: '/api/v1/auth/login', url: '/api/v1/auth/login', body: () => ({ username: 'admin', password: ADMIN_PASSWORD }), ok: 'all' },
  { method: 'POST', route: '/api/v1/auth/logout', url: '/api/v1/auth/logout', body: () => ({}), ok: 'authenticated' },
];

describe('authorization everywhere', () => {
  let p: AuthTestPlatform;
  const tokens = {} as Record<Caller, string | undefined>;

  beforeAll(async () => {
    p = await startAuthPlatform();
    tokens.anonymous = undefined;
    tokens.admin = p.adminToken;
    tokens.officer = await accountToken(p, 'cb.a', 'commune_officer', A);
    tokens.officerB = await accountToken(p, 'cb.b', 'commune_officer', B);
    tokens.reviewer = await accountToken(p, 'rv.19', 'reviewer', '19');
    tokens.reviewerB = await accountToken(p, 'rv.01', 'reviewer', '01');
    tokens.operator = await accountToken(p, 'ops', 'operator', 'VN');
    tokens.analyst = await accountToken(p, 'an.19', 'analyst', '19');
    tokens.analystVN = await accountToken(p, 'an.vn', 'analyst', 'VN');
    expect((await as(p, tokens.officer).post('/api/v1/reports', reportOf(A, 'first'))).status).toBe(202);
    expect((await as(p, tokens.officerB).post('/api/v1/reports', reportOf(B, 'first-b'))).status).toBe(202);
  });
  afterAll(() => p.dispose());

  it('has an access policy for every registered route (a route without one is refused)', () => {
    const routes = p.auth.registeredRoutes();
    expect(routes.length).toBeGreaterThan(25);
    expect(p.auth.uncoveredRoutes()).toEqual([]);
  });

  it('exercises every registered route in the role matrix below', () => {
    const exercised = new Set(CASES.map((c) => `${c.method} ${c.route}`));
    const missing = p.auth.registeredRoutes().filter((r) => !exercised.has(`${r.method} ${r.url}`) && r.url !== '/api/v1/auth/logout');
    expect(missing).toEqual([]);
  });

  it('refuses an unknown route for a signed-in caller with 404, and a route it has no policy for with 403', async () => {
    expect((await as(p, tokens.admin).get('/api/v1/no-such-route')).status).toBe(404);
  });

  for (const c of CASES.filter((x) => x.route !== '/api/v1/auth/logout')) {
    it(`${c.method} ${c.url}: ${Array.isArray(c.ok) ? c.ok.join(', ') : c.ok} may; others get 403 (anonymous 401) and change nothing`, async () => {
      for (const caller of CALLERS) {
        const expected: Expect =
          c.ok === 'all' || (Array.isArray(c.ok) && c.ok.includes(caller)) || (c.ok === 'authenticated' && caller !== 'anonymous') ? 'ok' : caller === 'anonymous' ? 401 : 403;
        const head = await p.platform.store.headPosition();
        const r = await p.app.inject({
          method: c.method,
          url: c.url,
          ...(c.body ? { payload: c.body() as object } : {}),
          headers: tokens[caller] ? bearer(tokens[caller]!) : {},
        });
        const label = `${caller} ${c.method} ${c.url} -> ${r.statusCode} ${r.body.slice(0, 160)}`;
        expect(r.statusCode, label).toBeLessThan(500);
        if (expected === 'ok') {
          expect([401, 403], label).not.toContain(r.statusCode);
        } else {
          expect(r.statusCode, label).toBe(expected);
          const after = await p.platform.store.headPosition();
          expect(after, `${label}: state changed`).toBe(head);
        }
      }
    });
  }

  it('logs out each caller last (the logout route)', async () => {
    for (const caller of CALLERS) {
      const r = await as(p, tokens[caller]).post('/api/v1/auth/logout');
      expect(r.status).toBe(caller === 'anonymous' ? 401 : 204);
    }
  });

  it('left nothing behind from refused calls: B\'s report and A\'s values are as their officers sent them', async () => {
    await p.waitUntilCaughtUp();
    const admin = as(p, await login(p, 'admin', ADMIN_PASSWORD));
    const b = await admin.get(`/api/v1/reports/report-M1719_S-${B}-${PERIOD}`);
    expect(b.body.version).toBe(1);
    const accounts = await admin.get('/api/v1/accounts');
    expect(accounts.body.accounts.map((a: { username: string }) => a.username)).not.toContain('matrix.x');
  });
});
