import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAccountCli } from '@tally/auth';
import { parseAllowList, type NotificationOptions } from '@tally/svc-notification';
import { demoCatalog } from '../src';
import { accountToken, as, startAuthPlatform, type AuthTestPlatform } from './auth-helpers';
import { householdValues } from './helpers';
import { duplicates, startMailbox, startReceiver, type Mailbox, type Receiver } from './notification-helpers';

/**
 * Notifications end to end (docs/notifications.md): tasks, results, deadlines on a fake clock, inbox per account,
 * e-mail to a real SMTP server, signed webhooks to a real HTTP receiver, each delivered once.
 */
const SECRET = 'webhook-secret-for-tests';
const PERIOD = '2026S1';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function notificationOptions(mailbox: Mailbox, receiver: Receiver, clock: () => Date): NotificationOptions {
  return {
    clock,
    scheduleTimer: false,
    random: () => 0.5,
    settings: {
      smtpUrl: `smtp://127.0.0.1:${mailbox.port}`,
      webhookAllow: parseAllowList(`127.0.0.1:${receiver.port}`),
      backoffBaseMs: 60_000,
      backoffMaxMs: 3_600_000,
      maxAttempts: 3,
      dispatchEveryMs: 3_600_000,
    },
  };
}

/** Applies everything published (twice: the consumer's own appends, e.g. a task done by a report, are consumed too), then sends what is due. */
async function settle(p: AuthTestPlatform): Promise<void> {
  await p.waitUntilCaughtUp();
  await p.waitUntilCaughtUp();
  await p.notification.dispatcher().runOnce();
}

describe('tasks, results and channels', () => {
  let p: AuthTestPlatform;
  let mailbox: Mailbox;
  let receiver: Receiver;
  let now = new Date('2026-07-01T02:00:00Z');
  const tokens: Record<string, string> = {};
  const A = '01840';
  let B = '';

  beforeAll(async () => {
    mailbox = await startMailbox();
    receiver = await startReceiver(SECRET);
    p = await startAuthPlatform({ notification: notificationOptions(mailbox, receiver, () => now) });
    const communes = p.registry.forDate('2026-06-30').descendantsAtLevel('19', 'commune').map((u) => u.code);
    B = communes.find((c) => c !== A)!;
    tokens.officer = await accountToken(p, 'cb.a', 'commune_officer', A);
    tokens.reviewer = await accountToken(p, 'rv.19', 'reviewer', '19');
    tokens.outsider = await accountToken(p, 'rv.01', 'reviewer', '01');
    const admin = as(p, p.adminToken);
    expect((await admin.post('/api/v1/accounts/cb.a/email', { email: 'cb.a@xa01840.gov.vn' })).status).toBe(200);
    expect((await admin.post('/api/v1/accounts/rv.19/email', { email: 'rv19@thainguyen.gov.vn' })).body.email).toBe('rv19@thainguyen.gov.vn');
    expect((await as(p, tokens.reviewer).put('/api/v1/inbox/preferences', { language: 'en' })).status).toBe(200);
    const hook = await as(p, tokens.reviewer).post('/api/v1/webhooks', { url: receiver.url, events: ['*'], orgUnit: '19', secret: SECRET });
    expect(hook.status, hook.text).toBe(201);
    await settle(p);
  }, 60_000);
  afterAll(async () => {
    await p?.dispose();
    await mailbox?.close();
    await receiver?.close();
  });

  it('gives a task to units of the reviewer\'s subtree; each sees it in its inbox and marks it read', async () => {
    const created = await as(p, tokens.reviewer).post('/api/v1/tasks', {
      title: 'Nộp báo cáo 6 tháng',
      body: 'Đề nghị các xã nộp đúng hạn.',
      orgUnits: [A, B],
      dueDate: '2026-07-15',
      template: 'M1719_S',
      period: PERIOD,
    });
    expect(created.status, created.text).toBe(201);
    const { taskId } = created.body;
    // outside the reviewer's subtree: refused, nothing recorded
    expect((await as(p, tokens.outsider).post('/api/v1/tasks', { title: 'x', orgUnits: [A], dueDate: '2026-07-15' })).status).toBe(403);
    expect((await as(p, tokens.reviewer).post('/api/v1/tasks', { title: 'x', orgUnits: [A], scope: { orgUnit: '19', level: 'commune' }, dueDate: '2026-07-15' })).body.error.code).toBe('INVALID_REQUEST');
    await settle(p);

    const inbox = await as(p, tokens.officer).get('/api/v1/inbox?unread=true');
    expect(inbox.status).toBe(200);
    expect(inbox.body.unread).toBe(1);
    const [message] = inbox.body.messages;
    expect(message).toEqual({
      id: expect.any(String),
      kind: 'task.assigned',
      title: 'Nhiệm vụ: Nộp báo cáo 6 tháng',
      body: 'Đề nghị các xã nộp đúng hạn.\nHạn: 2026-07-15.',
      orgUnit: A,
      template: 'M1719_S',
      period: PERIOD,
      taskId,
      createdAt: expect.any(String),
      read: false,
    });
    expect((await as(p, tokens.officer).post(`/api/v1/inbox/${message.id}/read`)).body).toEqual({ id: message.id, read: true });
    const after = await as(p, tokens.officer).get('/api/v1/inbox?unread=true');
    expect(after.body).toMatchObject({ messages: [], unread: 0 });
    expect((await as(p, tokens.officer).get('/api/v1/inbox')).body.messages[0].read).toBe(true);
    // the commune B's inbox is not the officer's to mark
    const bMessage = (await as(p, tokens.reviewer).get(`/api/v1/inbox?orgUnit=${B}`)).body.messages[0];
    expect((await as(p, tokens.officer).post(`/api/v1/inbox/${bMessage.id}/read`)).status).toBe(403);
  });

  it('marks the task done for a unit when its report is received, overdue for the others after the due date, done by hand on request', async () => {
    const r = await as(p, tokens.officer).post('/api/v1/reports', { template: 'M1719_S', orgUnit: A, period: PERIOD, submissionId: 'a-1', values: householdValues(1000, 100) });
    expect(r.status, r.text).toBe(202);
    await settle(p);
    const tasks = (await as(p, tokens.reviewer).get('/api/v1/tasks')).body.tasks as Json[];
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.units).toEqual([
      { orgUnit: A, status: 'done', doneAt: expect.any(String) },
      { orgUnit: B, status: 'open', doneAt: null },
    ]);
    now = new Date('2026-07-16T02:00:00Z');
    const later = (await as(p, tokens.reviewer).get('/api/v1/tasks?orgUnit=19&status=overdue')).body.tasks as Json[];
    expect(later[0]!.units.find((u: Json) => u.orgUnit === B).status).toBe('overdue');
    // the officer sees its own unit's status only
    expect((await as(p, tokens.officer).get('/api/v1/tasks')).body.tasks[0].units).toEqual([{ orgUnit: A, status: 'done', doneAt: expect.any(String) }]);
    const byHand = await as(p, tokens.reviewer).post(`/api/v1/tasks/${tasks[0]!.taskId}/done`, { orgUnit: B });
    expect(byHand.body).toEqual({ taskId: tasks[0]!.taskId, orgUnit: B, status: 'done' });
    expect((await as(p, tokens.outsider).post(`/api/v1/tasks/${tasks[0]!.taskId}/done`, { orgUnit: B })).status).toBe(403);
    // no wait for the consumer: the route writes the task's read model at once (read your own write)
    expect(((await as(p, tokens.reviewer).get('/api/v1/tasks')).body.tasks[0].units as Json[]).map((u) => u.status)).toEqual(['done', 'done']);
  });

  it('tells the unit its report was returned (with the comment), approved and locked; the parent in English as it prefers', async () => {
    const reportId = `report-M1719_S-${A}-${PERIOD}`;
    const returned = await as(p, tokens.reviewer).post(`/api/v1/reports/${reportId}/return`, { reason: 'Số hộ nghèo chưa khớp' });
    expect(returned.status, returned.text).toBeLessThan(300);
    const again = await as(p, tokens.officer).post('/api/v1/reports', {
      template: 'M1719_S',
      orgUnit: A,
      period: PERIOD,
      submissionId: 'a-2',
      values: householdValues(1000, 90),
      reason: 'sửa số hộ nghèo',
    });
    expect(again.status, again.text).toBe(202);
    expect((await as(p, tokens.reviewer).post(`/api/v1/reports/${reportId}/approve`, {})).status).toBeLessThan(300);
    const lock = await as(p, tokens.reviewer).post(`/api/v1/reports/${reportId}/lock`, {});
    expect(lock.status, lock.text).toBeLessThan(300);
    await settle(p);
    const officer = (await as(p, tokens.officer).get('/api/v1/inbox')).body.messages as Json[];
    const kinds = officer.map((m) => m.kind);
    expect(kinds).toEqual(expect.arrayContaining(['report.returned', 'report.approved', 'report.locked']));
    expect(officer.find((m) => m.kind === 'report.returned')!.body).toContain('Lý do: Số hộ nghèo chưa khớp');
    const reviewer = (await as(p, tokens.reviewer).get('/api/v1/inbox')).body.messages as Json[];
    // units are named as people read them: the name with the code
    const aName = p.registry.forDate('2026-06-30').get(A)!.name;
    expect(reviewer.find((m) => m.kind === 'report.submitted')!.title).toBe(`M1719_S ${PERIOD} from ${aName} (${A}) submitted`);
  });

  it('e-mails each message once to each account with an address, and posts each once to the webhook, signed', async () => {
    await settle(p);
    const ids = mailbox.mails.map((m) => m.messageId);
    expect(ids.length).toBeGreaterThan(0);
    expect(duplicates(ids)).toEqual([]);
    const toOfficer = mailbox.mails.filter((m) => m.to.includes('cb.a@xa01840.gov.vn'));
    expect(toOfficer.map((m) => m.subject).join('\n')).toMatch(/=\?UTF-8\?|Nhi/); // Vietnamese subjects are MIME-encoded
    expect(toOfficer.length).toBe((await as(p, tokens.officer).get('/api/v1/inbox')).body.messages.length);
    expect(receiver.deliveries.length).toBeGreaterThan(0);
    expect(receiver.deliveries.every((d) => d.signatureOk)).toBe(true);
    expect(duplicates(receiver.deliveries.map((d) => d.id))).toEqual([]);
    const kinds = new Set(receiver.deliveries.map((d) => d.body.kind));
    for (const k of ['task.assigned', 'report.submitted', 'report.returned', 'report.approved', 'report.locked']) expect(kinds, k).toContain(k);
    // a redelivery of every event (a rebuild replays the log) sends nothing again
    const mails = mailbox.mails.length;
    const posts = receiver.deliveries.length;
    const inboxBefore = (await as(p, tokens.officer).get('/api/v1/inbox')).body;
    await p.rebuild();
    await settle(p);
    expect(mailbox.mails.length).toBe(mails);
    expect(receiver.deliveries.length).toBe(posts);
    // the same messages, read marks included (they are events too)
    expect(inboxBefore.messages.some((m: Json) => m.read)).toBe(true);
    expect((await as(p, tokens.officer).get('/api/v1/inbox')).body).toEqual(inboxBefore);
  });

  it('retries a receiver that is down with growing delays, keeps dead letters, and delivers everything once it is back', async () => {
    receiver.down = true;
    const t = await as(p, tokens.reviewer).post('/api/v1/tasks', { title: 'Rà soát hộ nghèo', orgUnits: [A], dueDate: '2026-08-01' });
    expect(t.status).toBe(201);
    await settle(p);
    const hookId = (await p.platform.store.readAll(0, 10_000)).find((e) => e.type === 'tally.notification.webhook-registered')!.data as Json;
    const list = async (state?: string) => (await as(p, tokens.reviewer).get(`/api/v1/webhooks/${hookId.id}/deliveries${state ? `?state=${state}` : ''}`)).body.deliveries as Json[];
    let pending = await list('pending');
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ attempts: 1, lastError: 'HTTP 503' });
    // backoff: 60 s * 2^(n-1), halved at random (random = 0.5 here: 3/4 of it)
    expect(Date.parse(pending[0]!.nextAttemptAt) - now.getTime()).toBe(45_000);
    await p.notification.dispatcher().runOnce();
    expect((await list('pending'))[0]!.attempts).toBe(1); // not yet due
    now = new Date(now.getTime() + 46_000);
    await p.notification.dispatcher().runOnce();
    pending = await list('pending');
    expect(pending[0]).toMatchObject({ attempts: 2 });
    expect(Date.parse(pending[0]!.nextAttemptAt) - now.getTime()).toBe(90_000);
    now = new Date(now.getTime() + 91_000);
    await p.notification.dispatcher().runOnce();
    const dead = await list('dead');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ kind: 'task.assigned', attempts: 3, state: 'dead' });
    expect(receiver.refused).toBe(3);
    // the receiver is back: the dead letter is retried on request and arrives once
    receiver.down = false;
    const retry = await as(p, tokens.reviewer).post(`/api/v1/webhooks/${hookId.id}/deliveries/${dead[0]!.id}/retry`, {});
    expect(retry.status, retry.text).toBe(202);
    await p.notification.dispatcher().runOnce();
    expect(receiver.deliveries.filter((d) => d.id === dead[0]!.id)).toHaveLength(1);
    expect((await list()).find((d) => d.id === dead[0]!.id)!.state).toBe('sent');
    expect((await as(p, tokens.reviewer).post(`/api/v1/webhooks/${hookId.id}/deliveries/${dead[0]!.id}/retry`, {})).body.error.code).toBe('INVALID_TRANSITION');
    expect((await as(p, tokens.outsider).get(`/api/v1/webhooks/${hookId.id}/deliveries`)).status).toBe(403);
  });

  it('sets e-mail addresses through the API and the CLI, and refuses what is not one', async () => {
    const admin = as(p, p.adminToken);
    let out = '';
    const cli = (args: string[]) => runAccountCli(p.auth.service, args, (t) => (out += t), { USER: 'ops', TALLY_NEW_PASSWORD: 'cli-mail-pass-1719' });
    expect(await cli(['create', 'cli.mail', 'analyst', '19', '--email', 'cli@thainguyen.gov.vn'])).toBe(0);
    expect((await admin.get('/api/v1/accounts/cli.mail')).body.email).toBe('cli@thainguyen.gov.vn');
    expect(await cli(['email', 'cli.mail', 'none'])).toBe(0);
    expect((await admin.get('/api/v1/accounts/cli.mail')).body.email).toBeNull();
    expect(await cli(['create', 'cli.bad', 'analyst', '19', '--email'])).toBe(2);
    await expect(cli(['email', 'cli.mail', 'not-an-address'])).rejects.toThrow(/not an e-mail address/);
    expect((await admin.post('/api/v1/accounts/cli.mail/email', { email: 'not-an-address' })).body.error.code).toBe('INVALID_REQUEST');
    const created = await admin.post('/api/v1/accounts', { username: 'api.mail', password: 'api-mail-pass-1719', role: 'analyst', orgUnit: '19', email: 'api@thainguyen.gov.vn' });
    expect(created.status, created.text).toBe(201);
    expect(created.body.email).toBe('api@thainguyen.gov.vn');
  });

  it('addresses a task to every unit of a level under a unit (scope)', async () => {
    const communes = p.registry.forDate(new Date().toISOString().slice(0, 10)).descendantsAtLevel('19', 'commune');
    const t = await as(p, tokens.reviewer).post('/api/v1/tasks', { title: 'Cập nhật danh sách hộ', scope: { orgUnit: '19', level: 'commune' }, dueDate: '2026-09-30' });
    expect(t.status, t.text).toBe(201);
    expect(t.body.orgUnits).toBe(communes.length);
    // listed at once, every unit open (the route writes the read model; no wait for the consumer)
    const listed = ((await as(p, tokens.reviewer).get('/api/v1/tasks?orgUnit=19')).body.tasks as Json[]).find((x) => x.taskId === t.body.taskId);
    expect(listed?.units).toHaveLength(communes.length);
    expect((await as(p, tokens.reviewer).post('/api/v1/tasks', { title: 'x', scope: { orgUnit: '19', level: 'district' }, dueDate: '2026-09-30' })).body.error.code).toBe('INVALID_REQUEST');
    expect((await as(p, tokens.outsider).get('/api/v1/tasks?orgUnit=19')).status).toBe(403);
  });

  it('refuses webhook URLs on loopback, private or link-local addresses unless TALLY_WEBHOOK_ALLOW names them', async () => {
    for (const url of ['http://127.0.0.1:9/x', 'http://10.1.2.3/x', 'http://169.254.169.254/latest', 'http://[::1]/x', 'http://localhost/x', 'ftp://example.org/x']) {
      const r = await as(p, tokens.reviewer).post('/api/v1/webhooks', { url, events: ['*'], orgUnit: '19', secret: SECRET });
      expect(r.status, url).toBe(400);
      expect(r.body.error.code).toBe('INVALID_REQUEST');
    }
    expect((await as(p, tokens.reviewer).post('/api/v1/webhooks', { url: receiver.url, events: ['no.such.kind'], orgUnit: '19', secret: SECRET })).status).toBe(400);
    expect((await as(p, tokens.outsider).post('/api/v1/webhooks', { url: receiver.url, events: ['*'], orgUnit: '19', secret: SECRET })).status).toBe(403);
  });
  it('marks every message of a unit read at once, up to its newest (one event); a later message stays unread', async () => {
    const officer = as(p, tokens.officer);
    for (const title of ['Kiểm tra số liệu hộ nghèo', 'Rà soát hộ cận nghèo']) {
      expect((await as(p, tokens.reviewer).post('/api/v1/tasks', { title, orgUnits: [A], dueDate: '2026-07-20' })).status).toBe(201);
    }
    await settle(p);
    expect((await officer.get('/api/v1/inbox?unread=true')).body.unread).toBeGreaterThanOrEqual(2); // these two, and earlier tests' messages
    const stream = 'notification-reads-cb.a';
    const before = (await p.platform.store.readStream(stream)).length;
    const marked = await officer.post('/api/v1/inbox/read-all', {});
    expect(marked.status, marked.text).toBe(200);
    const newest = (await officer.get('/api/v1/inbox?limit=1')).body.messages[0];
    expect(marked.body).toEqual({ orgUnit: A, upTo: newest.createdAt, read: true });
    expect((await officer.get('/api/v1/inbox?unread=true')).body).toMatchObject({ messages: [], unread: 0 });
    expect((await p.platform.store.readStream(stream)).length).toBe(before + 1);
    // again, or an earlier instant: the same answer, nothing recorded
    expect((await officer.post('/api/v1/inbox/read-all', null)).body).toEqual(marked.body);
    expect((await officer.post('/api/v1/inbox/read-all', { upTo: '2026-01-01T00:00:00+07:00' })).status).toBe(200);
    expect((await p.platform.store.readStream(stream)).length).toBe(before + 1);
    // marks are per account: the reviewer has not read the commune's messages
    expect((await as(p, tokens.reviewer).get(`/api/v1/inbox?orgUnit=${A}&unread=true`)).body.unread).toBeGreaterThanOrEqual(2);
    // a message after the mark stays unread
    expect((await as(p, tokens.reviewer).post('/api/v1/tasks', { title: 'Báo cáo bổ sung', orgUnits: [A], dueDate: '2026-07-25' })).status).toBe(201);
    await settle(p);
    expect((await officer.get('/api/v1/inbox?unread=true')).body.messages.map((m: Json) => m.title)).toEqual(['Nhiệm vụ: Báo cáo bổ sung']);
    // another unit's inbox is not the officer's; an instant that is none is refused
    expect((await officer.post('/api/v1/inbox/read-all', { orgUnit: B })).status).toBe(403);
    const bad = await officer.post('/api/v1/inbox/read-all', { upTo: 'yesterday' });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'INVALID_REQUEST']);
  });

  it('pages the inbox newest first: limit, offset and the total to page through', async () => {
    for (const title of ['Trang 1', 'Trang 2']) expect((await as(p, tokens.reviewer).post('/api/v1/tasks', { title, orgUnits: [A], dueDate: '2026-07-31' })).status).toBe(201);
    await settle(p);
    const all = (await as(p, tokens.reviewer).get(`/api/v1/inbox?orgUnit=${A}`)).body;
    expect(all.total).toBe(all.messages.length);
    expect(all.total).toBeGreaterThanOrEqual(3);
    const first = (await as(p, tokens.reviewer).get(`/api/v1/inbox?orgUnit=${A}&limit=1`)).body;
    expect(first).toMatchObject({ total: all.total, messages: [all.messages[0]] });
    const rest = (await as(p, tokens.reviewer).get(`/api/v1/inbox?orgUnit=${A}&limit=100&offset=1`)).body;
    expect(rest.messages).toEqual(all.messages.slice(1));
    expect((await as(p, tokens.reviewer).get(`/api/v1/inbox?orgUnit=${A}&offset=${all.total}`)).body.messages).toEqual([]);
    expect((await as(p, tokens.reviewer).get(`/api/v1/inbox?orgUnit=${A}&offset=-1`)).body.error.code).toBe('INVALID_REQUEST');
  });
});

describe('preferences: a daily digest, a language, kinds kept out of the inbox', () => {
  let p: AuthTestPlatform;
  let mailbox: Mailbox;
  let receiver: Receiver;
  let now = new Date();
  beforeAll(async () => {
    mailbox = await startMailbox();
    receiver = await startReceiver(SECRET);
    p = await startAuthPlatform({ notification: notificationOptions(mailbox, receiver, () => now) });
  }, 60_000);
  afterAll(async () => {
    await p?.dispose();
    await mailbox?.close();
    await receiver?.close();
  });

  it('e-mails the day\'s messages once, after the day, to an account that chose a digest, in English', async () => {
    const officer = await accountToken(p, 'cb.d', 'commune_officer', '01840');
    const reviewer = await accountToken(p, 'rv.d', 'reviewer', '19');
    expect((await as(p, p.adminToken).post('/api/v1/accounts/cb.d/email', { email: 'cb.d@xa01840.gov.vn' })).status).toBe(200);
    const prefs = await as(p, officer).put('/api/v1/inbox/preferences', { digest: true, language: 'en', channels: { '*': ['inbox', 'email'], 'task.assigned': ['email'] } });
    expect(prefs.status, prefs.text).toBe(200);
    // no wait for the consumer: the route writes the preferences' read model before it answers
    expect((await as(p, officer).get('/api/v1/inbox/preferences')).body).toEqual({ username: 'cb.d', channels: { '*': ['inbox', 'email'], 'task.assigned': ['email'] }, digest: true, language: 'en' });
    await settle(p); // the e-mail address reaches the notification service through its consumer
    for (const title of ['Một', 'Hai']) expect((await as(p, reviewer).post('/api/v1/tasks', { title, orgUnits: ['01840'], dueDate: '2027-01-01' })).status).toBe(201);
    await settle(p);
    expect(mailbox.mails).toEqual([]); // the day is not over
    // task.assigned goes by e-mail only: not in this account's inbox, still in the reviewer's view of the unit
    expect((await as(p, officer).get('/api/v1/inbox')).body.messages).toEqual([]);
    expect(((await as(p, reviewer).get('/api/v1/inbox?orgUnit=01840')).body.messages as Json[]).map((m) => m.kind)).toEqual(['task.assigned', 'task.assigned']);
    now = new Date(Date.now() + 2 * 86_400_000);
    await p.notification.dispatcher().runOnce();
    await p.notification.dispatcher().runOnce();
    expect(mailbox.mails).toHaveLength(1);
    expect(mailbox.mails[0]!.subject).toMatch(/^Tally: 2 notification\(s\) of \d{4}-\d{2}-\d{2}$/);
    expect(mailbox.mails[0]!.raw).toContain('Task: Hai');
  });
});

/** A catalog whose one template is reported by provinces: a national reporting period in a few dozen units. */
function provinceCatalog(): object {
  const c = demoCatalog() as Json;
  const template = c.templates.find((t: Json) => t.code === 'M1719_S');
  return { ...c, version: 'notify-test', templates: [{ ...template, reportingLevel: 'province' }], compositeIndices: [] };
}

describe('deadlines on a fake clock', () => {
  let p: AuthTestPlatform;
  let mailbox: Mailbox;
  let receiver: Receiver;
  let now = new Date('2026-07-01T02:00:00Z');
  let provinces: string[] = [];
  const tokens: Record<string, string> = {};
  const options = () => notificationOptions(mailbox, receiver, () => now);

  beforeAll(async () => {
    mailbox = await startMailbox();
    receiver = await startReceiver(SECRET);
    p = await startAuthPlatform({ catalog: provinceCatalog(), notification: options() });
    provinces = p.registry.forDate('2026-06-30').childrenOf('VN').map((u) => u.code);
    tokens.officer = await accountToken(p, 'cb.vn', 'commune_officer', 'VN');
    tokens.p19 = await accountToken(p, 'cb.19', 'commune_officer', '19');
    const admin = as(p, p.adminToken);
    expect((await admin.post('/api/v1/accounts/cb.19/email', { email: 'cb19@thainguyen.gov.vn' })).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await p?.dispose();
    if (p) rmSync(p.dataDir, { recursive: true, force: true }); // restarted on the same directory, which dispose keeps
    await mailbox?.close();
    await receiver?.close();
  });

  /** Runs the calendar from `from` to `to` (Vietnam days, at 09:00), the scheduler once a day. */
  async function runDays(from: string, to: string): Promise<number> {
    let created = 0;
    for (let day = new Date(`${from}T02:00:00Z`); day <= new Date(`${to}T02:00:00Z`); day = new Date(day.getTime() + 86_400_000)) {
      now = day;
      created += await p.notification.deadlines().runAt(now);
      await settle(p);
    }
    return created;
  }

  it('reminds the provinces that have not reported 7, 3 and 1 days before the deadline, then tells them and their parent it is overdue, once each', async () => {
    expect(await runDays('2026-07-01', '2026-07-07')).toBe(0);
    // day 07-08: deadline 07-15 minus 7 days; every province is behind
    expect(await runDays('2026-07-08', '2026-07-08')).toBe(provinces.length);
    // all but four report
    const late = provinces.slice(0, 4);
    for (const code of provinces.slice(4)) {
      const r = await as(p, tokens.officer).post('/api/v1/reports', { template: 'M1719_S', orgUnit: code, period: PERIOD, submissionId: `s-${code}`, values: householdValues(100, 10) });
      expect(r.status, r.text).toBe(202);
    }
    await settle(p);
    await runDays('2026-07-09', '2026-07-31');
    const notices = (await p.platform.store.readAll(0, 100_000)).filter((e) => e.type === 'tally.notification.deadline-due').map((e) => e.data as Json);
    const of = (unit: string) => notices.filter((n) => n.orgUnit === unit).map((n) => `${n.day} ${n.rule} ${n.offset}`);
    expect(of(late[0]!)).toEqual(['2026-07-08 reminder 7', '2026-07-12 reminder 3', '2026-07-14 reminder 1', '2026-07-16 overdue 0']);
    expect(of(provinces[10]!)).toEqual(['2026-07-08 reminder 7']);
    // VN (tier 1, due 07-20) is reminded of the four provinces still missing, then told it is overdue
    expect(notices.filter((n) => n.orgUnit === 'VN').map((n) => [n.day, n.rule, n.offset, n.missing])).toEqual([
      ['2026-07-13', 'reminder', 7, 4],
      ['2026-07-17', 'reminder', 3, 4],
      ['2026-07-19', 'reminder', 1, 4],
      ['2026-07-21', 'overdue', 0, 4],
    ]);
    const overdue = notices.find((n) => n.orgUnit === late[0] && n.rule === 'overdue')!;
    expect(overdue.recipients).toEqual([late[0], 'VN']);
    const vnInbox = (await as(p, tokens.officer).get('/api/v1/inbox?orgUnit=VN')).body.messages as Json[];
    expect(vnInbox.filter((m) => m.kind === 'deadline.overdue').map((m) => m.title).sort()).toContain(`Quá hạn: M1719_S ${PERIOD} của ${p.registry.forDate('2026-06-30').get(late[0]!)!.name} (${late[0]}) (hạn 2026-07-15)`);
  });

  it('sends nothing twice when the calendar is run again, after a restart on the same data, or after a rebuild', async () => {
    const before = (await p.platform.store.readAll(0, 100_000)).filter((e) => e.type === 'tally.notification.deadline-due').length;
    const mails = mailbox.mails.length;
    expect(await runDays('2026-07-08', '2026-07-31')).toBe(0);
    const dataDir = p.dataDir;
    await p.close();
    p = await startAuthPlatform({ dataDir, withCatalog: false, notification: options() });
    expect(await runDays('2026-07-14', '2026-07-21')).toBe(0);
    await p.rebuild();
    await settle(p);
    expect((await p.platform.store.readAll(0, 100_000)).filter((e) => e.type === 'tally.notification.deadline-due').length).toBe(before);
    expect(mailbox.mails.length).toBe(mails);
    expect(duplicates(mailbox.mails.map((m) => m.messageId))).toEqual([]);
    // province 19 reported, so its officer got one reminder e-mail (7 days), in Vietnamese
    const to19 = mailbox.mails.filter((m) => m.to.includes('cb19@thainguyen.gov.vn'));
    expect(to19.length).toBe(provinces.slice(0, 4).includes('19') ? 4 : 1);
    expect(to19[0]!.subject).toMatch(/^=\?UTF-8\?/i); // 'Nhắc hạn: ...', MIME-encoded
  });

  it('tells the parent once when the last unit under it reports: the figure is complete', async () => {
    const vnInbox = async () => ((await as(p, tokens.officer).get('/api/v1/inbox?orgUnit=VN&limit=1000')).body.messages as Json[]).filter((m) => m.kind === 'figure.complete');
    expect(await vnInbox()).toEqual([]);
    for (const code of provinces.slice(0, 4)) {
      const r = await as(p, tokens.officer).post('/api/v1/reports', { template: 'M1719_S', orgUnit: code, period: PERIOD, submissionId: `s-${code}`, values: householdValues(100, 10) });
      expect(r.status, r.text).toBe(202);
    }
    await settle(p);
    const complete = await vnInbox();
    expect(complete).toHaveLength(1);
    expect(complete[0]).toMatchObject({ template: 'M1719_S', period: PERIOD, orgUnit: 'VN', body: `Cả ${provinces.length} đơn vị đã nộp báo cáo; số liệu tổng hợp đã đầy đủ.` });
  });
});
