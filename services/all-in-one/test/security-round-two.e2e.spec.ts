import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCatalog, loadDemo } from '../src';
import { ADMIN_PASSWORD, accountToken, as, bearer, login, startAuthPlatform, type AuthTestPlatform } from './auth-helpers';
import { householdValues } from './helpers';

/**
 * Security, round two (issue 19): what a black-box probe found, one test per finding; each fails without its fix.
 * On the 2025 map commune A (01840) is in province 19 (Thái Nguyên).
 */
const A = '01840';

describe('password checks and token revocation', () => {
  let p: AuthTestPlatform;
  beforeAll(async () => {
    p = await startAuthPlatform();
  });
  afterAll(() => p.dispose());

  it('limits and audits wrong current passwords on POST /api/v1/auth/password like failed sign-ins', async () => {
    const token = await accountToken(p, 'cb.guessed', 'commune_officer', A);
    const before = await p.platform.store.streamVersion('account-cb.guessed');
    for (let i = 0; i < 5; i++) {
      const r = await as(p, token).post('/api/v1/auth/password', { currentPassword: `guess-${i}-guess`, newPassword: 'stolen-session-1719' });
      expect(r.status).toBe(400);
      expect(r.text).not.toContain(`guess-${i}-guess`);
    }
    // the right current password no longer helps: the limit holds, as for sign-in
    const blocked = await as(p, token).post('/api/v1/auth/password', { currentPassword: 'x-pass-1719', newPassword: 'stolen-session-1719' });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('RATE_LIMITED');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // and signing in from the same address is blocked too: one budget per username
    expect((await as(p, undefined).post('/api/v1/auth/login', { username: 'cb.guessed', password: 'x-pass-1719' })).status).toBe(429);
    const events = await p.platform.store.readStream('account-cb.guessed', before + 1);
    expect(events.map((e) => e.type)).toEqual(Array(5).fill('tally.account.login-failed'));
    expect(events[0]!.actor).toMatchObject({ id: 'cb.guessed', origin: '127.0.0.1' });
    expect(events[0]!.reason).toContain('password change');
    expect(JSON.stringify(events)).not.toContain('guess-0-guess');
  });

  it('refuses common, repetitive, whitespace-only and control-character passwords on create, reset and change', async () => {
    const admin = as(p, p.adminToken);
    const token = await accountToken(p, 'cb.rules', 'commune_officer', A);
    for (const password of ['aaaaaaaaaa', 'password12', ' '.repeat(10), '\u0007'.repeat(10)]) {
      const created = await admin.post('/api/v1/accounts', { username: 'cb.weak', password, role: 'commune_officer', orgUnit: A });
      expect(created.status, JSON.stringify(password)).toBe(400);
      expect(created.body.error.code).toBe('INVALID_REQUEST');
      expect((await admin.post('/api/v1/accounts/cb.rules/password', { newPassword: password })).status).toBe(400);
      expect((await as(p, token).post('/api/v1/auth/password', { currentPassword: 'x-pass-1719', newPassword: password })).status).toBe(400);
    }
    expect((await admin.get('/api/v1/accounts/cb.weak')).status).toBe(404);
  });

  it('answers 404 for revoking a jti the account never had, appends nothing, and the real owner keeps its token', async () => {
    const admin = as(p, p.adminToken);
    await accountToken(p, 'sys.one', 'commune_officer', A);
    await accountToken(p, 'sys.two', 'commune_officer', A);
    const issued = await admin.post('/api/v1/accounts/sys.one/tokens', { name: 'bridge' });
    expect(issued.status).toBe(201);
    const head = await p.platform.store.headPosition();
    const foreign = await admin.post(`/api/v1/accounts/sys.two/tokens/${issued.body.jti}/revoke`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('NOT_FOUND');
    expect((await admin.post('/api/v1/accounts/sys.two/tokens/00000000-0000-0000-0000-000000000000/revoke')).status).toBe(404);
    expect(await p.platform.store.headPosition()).toBe(head);
    expect((await as(p, issued.body.token).get('/api/v1/auth/me')).status).toBe(200);
    // the account's own API token and its own sessions are revocable
    expect((await admin.post(`/api/v1/accounts/sys.one/tokens/${issued.body.jti}/revoke`)).status).toBe(204);
    expect((await as(p, issued.body.token).get('/api/v1/auth/me')).status).toBe(401);
    const session = await login(p, 'sys.two', 'x-pass-1719');
    const { jti } = JSON.parse(Buffer.from(session.split('.')[1]!, 'base64url').toString('utf8')) as { jti: string };
    expect((await admin.post(`/api/v1/accounts/sys.two/tokens/${jti}/revoke`)).status).toBe(204);
    expect((await as(p, session).get('/api/v1/auth/me')).status).toBe(401);
  });
});

describe('errors, headers and health', () => {
  let p: AuthTestPlatform;
  let base: string;
  beforeAll(async () => {
    p = await startAuthPlatform();
    base = await p.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => p.dispose());

  it('answers a malformed body with where it broke, never a fragment of it (the password stays out)', async () => {
    const r = await p.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username":"admin","password":"hunter2-secret-typo',
    });
    expect(r.statusCode).toBe(400);
    const body = r.json() as { error: { code: string; message: string; details: { offset: number } } };
    expect(body.error.code).toBe('MALFORMED_JSON');
    expect(body.error.details.offset).toBe(51);
    expect(r.body).not.toContain('hunter2');
    const broken = await p.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username":"admin","password":hunter2x}' });
    expect(broken.json()).toMatchObject({ error: { code: 'MALFORMED_JSON', details: { offset: 31, line: 1, column: 32 } } });
    expect(broken.body).not.toContain('hunter2x');
  });

  it('answers an unsupported content type with 415 without echoing it', async () => {
    const r = await p.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/x-ctype-marker' }, payload: 'username=admin' });
    expect(r.statusCode).toBe(415);
    expect(r.json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect(r.body).not.toContain('ctype-marker');
  });

  it('answers a 5,000-deep valid JSON with 400 JSON_TOO_DEEP, not a stack overflow', async () => {
    const deep = '['.repeat(5_000) + ']'.repeat(5_000);
    const r = await p.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: deep });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ error: { code: 'JSON_TOO_DEEP', details: { maxDepth: 32 } } });
    expect(r.body).not.toMatch(/call stack/i);
  });

  it('sends nosniff and frame denial on every answer, and no-store on authenticated ones and sign-in', async () => {
    const answers = [
      await p.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(p.adminToken) }),
      await p.app.inject({ method: 'GET', url: '/api/v1/open-data/datasets' }),
      await p.app.inject({ method: 'GET', url: '/health' }),
      await p.app.inject({ method: 'GET', url: '/api/v1/catalog' }),
    ];
    for (const r of answers) {
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
    expect(answers[0]!.headers['cache-control']).toBe('no-store');
    const signIn = await p.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(signIn.statusCode).toBe(200);
    expect(signIn.headers['cache-control']).toBe('no-store');
  });

  it('answers unknown routes with 404 in the API error shape without echoing the path', async () => {
    const r = await p.app.inject({ method: 'GET', url: '/api/v1/no-such-route-%3Cscript%3Eprobe-marker', headers: bearer(p.adminToken) });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(r.body).not.toContain('probe-marker');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers over-large headers with 431 in the API error shape, without echoing them', async () => {
    const { status, headers, text } = await rawGet(base, '/api/v1/auth/me', { 'x-probe': `header-marker-${'x'.repeat(40_000)}` });
    expect(status).toBe(431);
    expect(headers['content-type']).toContain('application/json');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'HEADERS_TOO_LARGE' } });
    expect(text).not.toContain('header-marker');
  });

  it('answers a request the HTTP parser refuses with 400 in the API error shape', async () => {
    const url = new URL(base);
    const text = await new Promise<string>((resolve, reject) => {
      let out = '';
      const socket = connect(Number(url.port), url.hostname, () => socket.write('NOT HTTP AT ALL <parser-marker>\r\n\r\n'));
      socket.setEncoding('utf8');
      socket.on('data', (c: string) => (out += c));
      socket.on('end', () => resolve(out));
      socket.on('error', reject);
    });
    expect(text.startsWith('HTTP/1.1 400')).toBe(true);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'INVALID_REQUEST' } });
    expect(text).not.toContain('parser-marker');
  });

  it('tells the public only whether it is up; the internals are for operators on /api/v1/health', async () => {
    const health = await as(p, undefined).get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    expect((await as(p, undefined).get('/health/ready')).body).toEqual({ status: 'ready' });
    expect((await as(p, undefined).get('/api/v1/health')).status).toBe(401);
    const officer = await accountToken(p, 'cb.health', 'commune_officer', A);
    expect((await as(p, officer).get('/api/v1/health')).status).toBe(403);
    const ops = await accountToken(p, 'ops.health', 'operator', 'VN');
    const detailed = await as(p, ops).get('/api/v1/health');
    expect(detailed.status).toBe(200);
    expect(detailed.body.log.head).toBeGreaterThan(0);
    expect(detailed.body.services.flatMap((s: { consumers: Array<{ group: string }> }) => s.consumers.map((c) => c.group))).toContain('hierarchy-rollup.rollups');
  });
});

/** A GET over a real socket (inject skips Node's HTTP parser, which is what refuses over-large headers). */
function rawGet(base: string, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { method: 'GET', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the demo loader under a small rate limit', () => {
  let p: AuthTestPlatform;
  beforeAll(async () => {
    p = await startAuthPlatform({ withCatalog: false, auth: { rateLimit: { burst: 20, perSec: 1 } } });
  });
  afterAll(() => p.dispose());

  it('loads every demo report (far more than the burst) without a 429, while clients stay limited', async () => {
    const { reports } = await loadDemo(p, { share: 1 });
    expect(reports).toBeGreaterThan(40);
    const listed = await as(p, p.adminToken).get('/api/v1/reports?limit=1000');
    expect(listed.status).toBe(200);
    expect(listed.body.length).toBe(reports);
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await as(p, p.adminToken).get('/api/v1/catalog/versions')).status);
    expect(statuses).toContain(429);
  });
});

describe('catalog ranges at submission', () => {
  let p: AuthTestPlatform;
  beforeAll(async () => {
    p = await startAuthPlatform();
  });
  afterAll(() => p.dispose());

  it('refuses HH_TOTAL -5, 1e15 and 60,000 (demo catalog: max 50,000, REJECT) with 422 INVALID_VALUE; nothing reaches the log', async () => {
    const officer = await accountToken(p, 'cb.range', 'commune_officer', A);
    const head = await p.platform.store.headPosition();
    for (const [i, value] of [-5, 1e15, 60_000].entries()) {
      const r = await as(p, officer).post('/api/v1/reports', {
        template: 'M1719_S',
        orgUnit: A,
        period: '2026S1',
        submissionId: `range-${i}`,
        values: [{ dataElement: 'HH_TOTAL', value }, { dataElement: 'HH_POOR', value: 10 }],
      });
      expect(r.status, `${value}: ${r.text}`).toBe(422);
      expect(r.body.error.code).toBe('INVALID_VALUE');
      expect(r.body.error.details.problems[0].path).toBe('values[0].value');
    }
    expect(await p.platform.store.headPosition()).toBe(head);
    const ok = await as(p, officer).post('/api/v1/reports', { template: 'M1719_S', orgUnit: A, period: '2026S1', submissionId: 'range-ok', values: [{ dataElement: 'HH_TOTAL', value: 50_000 }] });
    expect(ok.status).toBe(202);
  });

  it('refuses a catalog whose version is not a code', async () => {
    const r = await as(p, p.adminToken).put('/api/v1/catalog', { ...(demoCatalog() as object), version: '../../2026 <b>' });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('INVALID_CATALOG');
  });
});

describe('unit rights across map versions (real codes)', () => {
  // 2024S2 is on the pre-2025 map, 2026S1 on the 2025 map; accounts are on 2025 units (the map in force)
  const OLD = '2024S2';
  let p: AuthTestPlatform;
  let ia: ReturnType<typeof as>; // new 23710, Xã Ia Băng (Gia Lai, 52)
  let bangThanh: ReturnType<typeof as>; // new 01864, Xã Bằng Thành (Thái Nguyên, 19)
  const report = (orgUnit: string, period: string, submissionId: string, reason?: string) => ({
    template: 'M1719_S',
    orgUnit,
    period,
    submissionId,
    values: householdValues(300, 30),
    ...(reason ? { reason } : {}),
  });
  beforeAll(async () => {
    p = await startAuthPlatform();
    ia = as(p, await accountToken(p, 'cb.23710', 'commune_officer', '23710'));
    bangThanh = as(p, await accountToken(p, 'cb.01864', 'commune_officer', '01864'));
  });
  afterAll(() => p.dispose());

  it('refuses new 23710 for old 23710 (Xã A Dơk, merged into new 23869): same code, another commune; nothing appended', async () => {
    const head = await p.platform.store.headPosition();
    const r = await ia.post('/api/v1/reports', report('23710', OLD, 'old-23710'));
    expect(r.status).toBe(403);
    expect(r.body.error.message).toContain('old-to-new mapping');
    expect((await ia.get(`/api/v1/rollups?orgUnit=23710&period=${OLD}`)).status).toBe(403);
    expect(await p.platform.store.headPosition()).toBe(head);
  });

  it('lets new 23710 report for the old communes merged into it (23716 Xã Ia Pết, 23719 Xã Ia Băng)', async () => {
    expect((await ia.post('/api/v1/reports', report('23716', OLD, 'old-23716'))).status).toBe(202);
    expect((await ia.post('/api/v1/reports', report('23719', OLD, 'old-23719'))).status).toBe(202);
    expect((await ia.post('/api/v1/reports', report('01858', OLD, 'not-mine'))).status).toBe(403);
  });

  it('lets new 01864 report and amend for old 01858 (Xã Bằng Thành, merged into it), and the audit names both maps', async () => {
    expect((await bangThanh.post('/api/v1/reports', report('01858', OLD, 'bt-1'))).status).toBe(202);
    expect((await bangThanh.post('/api/v1/reports', report('01858', OLD, 'bt-2', 'Sửa số hộ'))).status).toBe(202);
    expect((await bangThanh.post('/api/v1/reports', report('23719', OLD, 'not-mine'))).status).toBe(403);
    const audit = await bangThanh.get(`/api/v1/reports/report-M1719_S-01858-${OLD}/audit`);
    expect(audit.status).toBe(200);
    const entries = audit.body.entries ?? audit.body;
    expect(entries.map((e: { event: string }) => e.event)).toEqual(['tally.report.submitted', 'tally.report.amended']);
    for (const e of entries) expect(e.actor).toMatchObject({ id: 'cb.01864', orgUnit: '01864', unitHierarchy: '2025', checkedIn: 'pre2025' });
    // on its own map the check used one version and says so
    const own = await bangThanh.post('/api/v1/reports', report('01864', '2026S1', 'bt-own'));
    expect(own.status).toBe(202);
    const ownAudit = await bangThanh.get(`/api/v1/reports/report-M1719_S-01864-2026S1/audit`);
    const first = (ownAudit.body.entries ?? ownAudit.body)[0];
    expect(first.actor.unitHierarchy).toBe('2025');
    expect(first.actor.checkedIn).toBeUndefined();
  });

  it('provinces: new 19 (Thái Nguyên + Bắc Kạn) covers old 06 (Bắc Kạn); new 01 (Hà Nội) does not', async () => {
    const rv19 = as(p, await accountToken(p, 'rv.new19', 'reviewer', '19'));
    const rv01 = as(p, await accountToken(p, 'rv.new01', 'reviewer', '01'));
    expect((await rv19.get(`/api/v1/rollups?orgUnit=06&period=${OLD}`)).status).toBe(200);
    expect((await rv19.get(`/api/v1/rollups?orgUnit=19&period=${OLD}`)).status).toBe(200);
    expect((await rv19.get(`/api/v1/rollups?orgUnit=01858&period=${OLD}`)).status).toBe(200);
    expect((await rv01.get(`/api/v1/rollups?orgUnit=06&period=${OLD}`)).status).toBe(403);
    expect((await rv19.get(`/api/v1/rollups?orgUnit=52&period=${OLD}`)).status).toBe(403);
  });
});
