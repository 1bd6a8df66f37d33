import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountToken, as, startAuthPlatform, type AuthTestPlatform } from './auth-helpers';
import { householdValues } from './helpers';

/**
 * The approval workflow end to end, with authentication on. Period 2024S2 is on the pre-2025 map:
 * commune 05611 -> district 168 (Phú Lương) -> province 19 (Thái Nguyên), so the default levels are district, province.
 */
const PERIOD = '2024S2';
const COMMUNE = '05611';
const REPORT = `report-M1719_S-${COMMUNE}-${PERIOD}`;
const url = (action: string) => `/api/v1/reports/${REPORT}/${action}`;

describe('approval workflow', () => {
  let p: AuthTestPlatform;
  let officer: ReturnType<typeof as>;
  let district: ReturnType<typeof as>;
  let province: ReturnType<typeof as>;
  let otherDistrict: ReturnType<typeof as>;
  let analyst: ReturnType<typeof as>;
  let n = 0;
  const send = (total: number, reason?: string) =>
    officer.post('/api/v1/reports', { template: 'M1719_S', orgUnit: COMMUNE, period: PERIOD, submissionId: `wf-${++n}`, values: householdValues(total, 10), ...(reason ? { reason } : {}) });

  beforeAll(async () => {
    p = await startAuthPlatform();
    officer = as(p, await accountToken(p, 'cb.05611', 'commune_officer', COMMUNE));
    district = as(p, await accountToken(p, 'rv.168', 'reviewer', '168'));
    province = as(p, await accountToken(p, 'rv.19', 'reviewer', '19'));
    otherDistrict = as(p, await accountToken(p, 'rv.164', 'reviewer', '164'));
    analyst = as(p, await accountToken(p, 'an.19', 'analyst', '19'));
  });
  afterAll(() => p.dispose());

  it('submitted -> approved by the district -> approved by the province -> locked, each step naming who acts next', async () => {
    expect((await send(100)).status).toBe(202);
    const early = await province.post(url('approve'));
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('INVALID_TRANSITION');
    const d = await district.post(url('approve'));
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ status: 'approved', approvals: ['district'], levels: ['district', 'province'], next: { action: 'approve', level: 'province', orgUnit: '19' } });
    expect((await district.post(url('approve'))).body.error.code).toBe('INVALID_TRANSITION');
    expect((await district.post(url('lock'))).status).toBe(403);
    const pr = await province.post(url('approve'));
    expect(pr.body).toMatchObject({ approvals: ['district', 'province'], next: { action: 'lock', orgUnit: '19' } });
    const locked = await province.post(url('lock'));
    expect(locked.body).toMatchObject({ status: 'locked', next: null });
  });

  it('after lock nothing changes; only a province unlocks, with a reason; then the commune may amend', async () => {
    const amend = await send(110, 'late correction');
    expect(amend.status).toBe(409);
    expect(amend.body.error.code).toBe('REPORT_LOCKED');
    expect((await district.post(url('unlock'), { reason: 'x' })).status).toBe(403);
    expect((await province.post(url('unlock'), {})).status).toBe(400);
    const unlocked = await province.post(url('unlock'), { reason: 'Sai số hộ' });
    expect(unlocked.body).toMatchObject({ status: 'submitted', approvals: [], next: { action: 'amend', orgUnit: COMMUNE } });
    expect((await send(110, 'late correction')).status).toBe(202);
  });

  it('a return (with a reason, at any level) goes back to the submitter; the amendment restarts approval', async () => {
    expect((await district.post(url('approve'))).status).toBe(200);
    expect((await province.post(url('return'), {})).status).toBe(400);
    const nfd = 'Số hộ nghèo chưa khớp với danh sách'.normalize('NFD');
    const returned = await province.post(url('return'), { reason: nfd });
    expect(returned.body).toMatchObject({ status: 'returned', approvals: [], next: { action: 'amend', orgUnit: COMMUNE } });
    expect((await district.post(url('approve'))).body.error.code).toBe('INVALID_TRANSITION');
    expect((await send(120)).body.error.code).toBe('AMENDMENT_REASON_REQUIRED');
    expect((await send(120, 'đã sửa theo góp ý')).status).toBe(202);
    // restarted: the province cannot approve before the district again
    expect((await province.post(url('approve'))).status).toBe(409);
    expect((await district.post(url('approve'))).status).toBe(200);
    expect((await province.post(url('approve'))).status).toBe(200);
    // an amendment after full approval restarts it too
    expect((await send(121, 'một hộ chuyển đi')).status).toBe(202);
    expect((await province.post(url('lock'))).body.error.code).toBe('INVALID_TRANSITION');
    expect((await district.post(url('approve'))).body.approvals).toEqual(['district']);
  });

  it('a reviewer acts at their own level, and only in their subtree', async () => {
    const wrongLevel = await district.post(url('approve'), { level: 'province' });
    expect(wrongLevel.status).toBe(403);
    expect((await otherDistrict.post(url('return'), { reason: 'not mine' })).status).toBe(403);
    expect((await analyst.post(url('approve'))).status).toBe(403);
    expect((await officer.post(url('approve'))).status).toBe(403);
  });

  it('notifies whoever acts next: the province when the district approved, the commune when returned', async () => {
    await p.waitUntilCaughtUp();
    const provinceInbox = (await province.get('/api/v1/inbox?orgUnit=19')).body.messages as Array<{ kind: string; reportId: string }>;
    expect(provinceInbox.filter((m) => m.kind === 'report.approve-due').length).toBeGreaterThanOrEqual(3);
    expect(provinceInbox.some((m) => m.kind === 'report.lock-due')).toBe(true);
    const communeInbox = (await officer.get(`/api/v1/inbox?orgUnit=${COMMUNE}`)).body.messages as Array<{ kind: string; body: string }>;
    // the commune acts next on a return or an unlock: it is told once, by the step's kind (docs/notifications.md)
    const amendDue = communeInbox.filter((m) => m.kind === 'report.returned' || m.kind === 'report.unlocked');
    expect(amendDue.length).toBe(2); // the unlock and the return
    expect(amendDue.some((m) => m.body.includes('Số hộ nghèo chưa khớp với danh sách'.normalize('NFC')))).toBe(true);
    expect(communeInbox.some((m) => m.kind === 'report.locked')).toBe(true);
  });

  it('keeps an audit trail straight from the events: who, what, when, from where, why, and value changes', async () => {
    const audit = await analyst.get(`/api/v1/reports/${REPORT}/audit`);
    expect(audit.status).toBe(200);
    const entries = audit.body.entries as Array<{ event: string; actor: { id: string; role: string; orgUnit: string; origin: string }; reason?: string; level?: string; time: string; changes?: Array<{ dataElement: string; before: unknown; after: unknown }> }>;
    expect(entries.map((e) => e.event.replace('tally.report.', ''))).toEqual([
      'submitted', 'approved', 'approved', 'locked', 'unlocked', 'amended', 'approved', 'returned', 'amended', 'approved', 'approved', 'amended', 'approved',
    ]);
    expect(entries[1]).toMatchObject({ actor: { id: 'rv.168', role: 'reviewer', orgUnit: '168', origin: '127.0.0.1' }, level: 'district' });
    expect(entries[4]).toMatchObject({ actor: { id: 'rv.19' }, reason: 'Sai số hộ' });
    // stored in NFC although sent in NFD
    expect(entries[7]).toMatchObject({ level: 'province', reason: 'Số hộ nghèo chưa khớp với danh sách'.normalize('NFC') });
    expect(entries[5]!.changes).toEqual([{ dataElement: 'HH_TOTAL', before: 100, after: 110 }]);
    expect(entries.every((e) => !Number.isNaN(Date.parse(e.time)))).toBe(true);

    const value = await analyst.get(`/api/v1/reports/${REPORT}/audit?dataElement=HH_POOR`);
    expect(value.body.entries.filter((e: { changes?: unknown[] }) => e.changes).length).toBe(1); // HH_POOR never changed after the first submission

    const csv = await analyst.get(`/api/v1/reports/${REPORT}/audit?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('version,position,time,event,actor,actor_role,actor_org_unit,origin,reason,level,submission_id,data_element,option_combo,old_value,new_value,correlation_id,actor_unit_hierarchy,checked_in_hierarchy');
    expect(lines.some((l) => l.includes(',tally.report.amended,cb.05611,commune_officer,05611,127.0.0.1,late correction,,wf-') && l.includes(',HH_TOTAL,,100,110,'))).toBe(true);
    expect(lines.length).toBe(1 + 2 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1); // the first submission has two values
  });

  it('the report view follows the workflow', async () => {
    await p.waitUntilCaughtUp();
    const view = await analyst.get(`/api/v1/reports/${REPORT}`);
    expect(view.body.status).toBe('approved');
    expect(view.body.history.at(-1)).toMatchObject({ type: 'tally.report.approved', level: 'district' });
  });

  it('reads its own writes: the view asked with after=<the answer\'s position> reflects the step', async () => {
    const returned = await district.post(url('return'), { reason: 'Thiếu số hộ cận nghèo' });
    expect(returned.status).toBe(200);
    const afterReturn = await analyst.get(`/api/v1/reports/${REPORT}?after=${returned.body.position}`);
    expect(afterReturn.status).toBe(200);
    expect(afterReturn.body.status).toBe('returned');
    expect(afterReturn.body.history.at(-1)).toMatchObject({ type: 'tally.report.returned', reason: 'Thiếu số hộ cận nghèo' });
    const amended = await send(131, 'đã bổ sung');
    expect(amended.status).toBe(202);
    const afterAmend = await analyst.get(`/api/v1/reports/${REPORT}?after=${amended.body.position}`);
    expect(afterAmend.body).toMatchObject({ status: 'submitted', version: amended.body.version });
    // a position of another topic (an account's preferences) counts once the views have no lag
    const prefs = await officer.put('/api/v1/inbox/preferences', { language: 'vi' });
    expect(prefs.body.position).toBeGreaterThan(amended.body.position);
    expect((await analyst.get(`/api/v1/reports/${REPORT}?after=${prefs.body.position}`)).status).toBe(200);
    // a position the views have not reached within the wait: 409, not an old view
    const ahead = await analyst.get(`/api/v1/reports/${REPORT}?after=999999999`);
    expect(ahead.status).toBe(409);
    expect(ahead.body.error.code).toBe('NOT_CAUGHT_UP');
    expect((await analyst.get(`/api/v1/reports/${REPORT}?after=soon`)).body.error.code).toBe('INVALID_REQUEST');
  });

  it('on the 2025 map (no districts) the province is the only approval level', async () => {
    const officer25 = as(p, await accountToken(p, 'cb.01840', 'commune_officer', '01840'));
    const r = await officer25.post('/api/v1/reports', { template: 'M1719_S', orgUnit: '01840', period: '2026S1', submissionId: 'x', values: householdValues(50, 5) });
    expect(r.status).toBe(202);
    const approved = await province.post(`/api/v1/reports/${r.body.reportId}/approve`);
    expect(approved.body).toMatchObject({ levels: ['province'], approvals: ['province'], next: { action: 'lock', orgUnit: '19' } });
    expect((await province.post(`/api/v1/reports/${r.body.reportId}/lock`)).body.status).toBe('locked');
    expect((await province.post('/api/v1/reports/report-M1719_S-01843-2026S1/approve')).body.error.code).toBe('REPORT_NOT_FOUND');
  });
});
