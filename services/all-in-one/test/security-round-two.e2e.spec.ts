import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountToken, as, login, startAuthPlatform, type AuthTestPlatform } from './auth-helpers';

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
