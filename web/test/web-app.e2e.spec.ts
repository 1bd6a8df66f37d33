import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoLogin } from '@tally/auth';
import { createLogger } from '@tally/runtime';
import { ensureWebBuild, loadDemo, startEmbeddedPlatform, type RunningPlatform } from '@tally/svc-all-in-one';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE, launchChromium, newSession, screenshot, seriousA11yViolations } from './browser';

/**
 * The web app in a real Chromium against a real platform (embedded, auth on, the demo data): an officer signs in,
 * sees what is due, fills a form, gets a per-field refusal, submits; fills a form offline, comes back online and
 * sees it sent once; a reviewer opens a report from its subtree's list and approves it; the dashboard's figure
 * changes; an administrator publishes a catalog from XLSX and merges two units; a citizen downloads an open dataset.
 * axe-core runs inside each main screen (no serious or critical violation); screenshots go to .cache/screenshots.
 */
const ADMIN_PASSWORD = 'admin-web-test-password-1719';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
let running: RunningPlatform;
let dataDir: string;
let base: string;
let browser: Browser;
let logins: DemoLogin[];
let adminToken: string;
const login = (role: string) => logins.find((l) => l.role === role)!;

async function api(method: 'GET' | 'POST', url: string, token = adminToken) {
  const r = await running.app.inject({ method, url, headers: { authorization: `Bearer ${token}` } });
  return { status: r.statusCode, body: r.json() as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function signIn(page: Page, username: string, password: string) {
  await page.goto(`${base}/`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByRole('button', { name: /Đăng xuất/ }).waitFor();
}

/** Fills every field of the entry form (zeros, BOOLEAN: yes), then the given ones by field id. */
async function fillForm(page: Page, values: Record<string, string>) {
  await page.locator('form.entry').waitFor();
  for (const input of await page.locator('form.entry input[type=text][required]').all()) await input.fill('0');
  for (const select of await page.locator('form.entry select[required]').all()) await select.selectOption('1');
  for (const [id, value] of Object.entries(values)) await page.locator(`#${id}`).fill(value);
}

async function expectAccessible(page: Page) {
  expect(await seriousA11yViolations(page)).toEqual([]);
}

describe('web app in Chromium', () => {
  let commune: string;

  beforeAll(async () => {
    await ensureWebBuild();
    browser = await launchChromium();
    dataDir = mkdtempSync(join(tmpdir(), 'tally-web-'));
    running = await startEmbeddedPlatform({
      config: { dataDir, demo: false, readYourWritesTimeoutMs: 10_000, auth: 'on' },
      logger: createLogger('test', 'silent'),
      auth: { adminPassword: ADMIN_PASSWORD, tokenSecret: 'web-test-secret-web-test-secret-0123456', print: () => {}, scrypt: { N: 4096, r: 8, p: 1 }, rateLimit: { burst: 100_000, perSec: 10_000 } },
    });
    const demo = await loadDemo(running);
    logins = demo.logins;
    commune = login('commune_officer').orgUnit;
    await running.waitUntilCaughtUp();
    await running.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(running.app.server.address() as AddressInfo).port}`;
    const r = await running.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
    adminToken = (r.json() as { token: string }).token;
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await running?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the app at / (no-cache) and its hashed assets as immutable, under 300 KB of compressed JavaScript', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    const scripts = [...html.matchAll(/src="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // nothing loaded from elsewhere
    let compressed = 0;
    for (const src of scripts) {
      const r = await fetch(`${base}${src}`, { headers: { 'accept-encoding': 'br' } });
      expect(r.status).toBe(200);
      expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(r.headers.get('content-encoding')).toBe('br');
      compressed += Number(r.headers.get('content-length'));
    }
    expect(compressed).toBeGreaterThan(0);
    expect(compressed).toBeLessThan(300 * 1024);
  });

  it('an officer signs in, sees what is due, is refused per field, then submits; the dashboard figure changes', async () => {
    // a national analyst watches the dashboard: no figure yet for 2026S2
    const analyst = await newSession(browser);
    await signIn(analyst.page, login('analyst').username, login('analyst').password);
    const dashboard = `${base}/#/dashboard?orgUnit=19&from=2026S1&to=2026S2&indicator=POVERTY_RATE`;
    await analyst.page.goto(dashboard);
    const cell = analyst.page.locator('tr[data-period="2026S2"] td[data-value]');
    await cell.waitFor();
    expect(await cell.getAttribute('data-value')).toBe('');
    expect(Number(await analyst.page.locator('tr[data-period="2026S1"] td[data-value]').getAttribute('data-value'))).toBeGreaterThan(0);

    const { context, page, errors } = await newSession(browser);
    await page.goto(`${base}/`);
    await screenshot(page, 'sign-in');
    await expectAccessible(page);
    const officer = login('commune_officer');
    await signIn(page, officer.username, officer.password);
    const row = page.locator('tr[data-template="M1719_S"][data-period="2026S2"]');
    await row.waitFor();
    expect(await page.locator('tr[data-template="M1719_S"][data-period="2026S1"] .badge').innerText()).toMatch(/Đã nộp|Quá hạn/);
    // the unit by its name, the tiers by theirs in the app's language (not commune/province/country)
    await page.locator('#due-list', { hasText: `Phường Đức Xuân (${commune})` }).waitFor();
    expect(await row.locator('td').nth(3).innerText()).toMatch(/^Cấp xã: \d{4}-\d{2}-\d{2} · Cấp tỉnh: .+ · Trung ương: \d{4}-\d{2}-\d{2}$/);
    await screenshot(page, 'due');
    await expectAccessible(page);

    // English on request, Vietnamese back
    await page.getByRole('button', { name: 'Switch the language to English' }).click();
    await expect.poll(() => page.locator('h1').innerText()).toBe('What is due');
    await page.getByRole('button', { name: 'Chuyển sang tiếng Việt' }).click();
    await expect.poll(() => page.locator('h1').innerText()).toBe('Việc cần báo cáo');

    await row.getByRole('link', { name: /Nhập số liệu/ }).click();
    await fillForm(page, { 'f-HH_TOTAL': '1000', 'f-HH_POOR': '150', 'f-HH_EM': '300', 'f-HH_EM_POOR': '400' });
    // checked while typing, with the catalog's own rule
    await page.locator('[data-rule="EM_POOR_LE_EM"]').waitFor();
    await page.getByRole('button', { name: 'Gửi báo cáo' }).click();
    // the server refuses (a REJECT rule), and says so next to the field
    await page.getByRole('alert').filter({ hasText: 'VALIDATION_RULE_VIOLATED' }).waitFor();
    await page.locator('[data-field="HH_EM_POOR"] .problems li', { hasText: '400 <= 300 is false' }).waitFor();
    expect(await page.locator('#f-HH_EM_POOR').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'form-refused');
    await expectAccessible(page);
    expect((await api('GET', `/api/v1/reports/report-M1719_S-${commune}-2026S2`)).status).toBe(404);

    const beforeSubmission = new Date().toISOString().slice(0, 19); // (UTC, to the second) before the report exists
    await page.locator('#f-HH_EM_POOR').fill('40');
    await page.getByRole('button', { name: 'Gửi báo cáo' }).click();
    await page.locator('[data-answer="sent"]').waitFor();
    const report = await api('GET', `/api/v1/reports/report-M1719_S-${commune}-2026S2`);
    expect(report.body).toMatchObject({ status: 'submitted', version: 1 });
    expect(report.body.values).toContainEqual({ dataElement: 'HH_EM_POOR', value: 40 });
    await screenshot(page, 'form-sent');

    // the dashboard now shows the province's 2026S2 poverty rate: 150 poor of 1000 households
    await running.waitUntilCaughtUp();
    await analyst.page.reload();
    await expect.poll(async () => analyst.page.locator('tr[data-period="2026S2"] td[data-value]').getAttribute('data-value'), { timeout: 20_000 }).toBe('15');
    await screenshot(analyst.page, 'dashboard');
    await expectAccessible(analyst.page);
    // time travel (on the commune: no child units to rank, so few replays): as of just before the submission
    // there was no 2026S2 figure, while the demo's 2026S1 one was there
    const communeBoard = `${base}/#/dashboard?orgUnit=${commune}&from=2026S1&to=2026S2&indicator=POVERTY_RATE`;
    await analyst.page.goto(communeBoard);
    await expect.poll(async () => analyst.page.locator('tr[data-period="2026S2"] td[data-value]').getAttribute('data-value'), { timeout: 20_000 }).toBe('15');
    await analyst.page.goto(`${communeBoard}&asOf=${encodeURIComponent(beforeSubmission)}`);
    await analyst.page.locator('p.meta', { hasText: `${beforeSubmission}.000Z` }).waitFor({ timeout: 30_000 });
    await expect.poll(async () => analyst.page.locator('tr[data-period="2026S2"] td[data-value]').getAttribute('data-value'), { timeout: 30_000 }).toBe('');
    expect(Number(await analyst.page.locator('tr[data-period="2026S1"] td[data-value]').getAttribute('data-value'))).toBeGreaterThan(0);
    await analyst.page.goto(dashboard);
    // accent-insensitive unit search
    await analyst.page.getByRole('searchbox', { name: 'Đơn vị', exact: true }).fill('thai nguyen');
    await analyst.page.getByRole('option', { name: /Thái Nguyên/ }).first().waitFor();
    expect(analyst.errors).toEqual([]);
    await analyst.context.close();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('offline: the form is queued in the browser and sent exactly once when the connection returns', async () => {
    const { context, page, errors } = await newSession(browser);
    const officer = login('commune_officer');
    await signIn(page, officer.username, officer.password);
    await page.goto(`${base}/#/form?template=M1719_Q_CAPITAL&orgUnit=${commune}&period=2026Q4`);
    await page.locator('form.entry').waitFor();
    // the service worker keeps the app shell: once it controls the page, the app opens offline too
    await page.waitForFunction('navigator.serviceWorker && navigator.serviceWorker.controller !== null');
    await context.setOffline(true);
    await page.locator('.banner.offline').waitFor();
    await fillForm(page, {});
    await page.locator('form.entry input[type=text]').first().fill('500');
    await page.getByRole('button', { name: 'Gửi báo cáo' }).click();
    await page.locator('[data-answer="queued"]').waitFor();
    await page.goto(`${base}/#/queue`);
    await page.locator('tr[data-state="pending"]').waitFor();
    await screenshot(page, 'queue-offline');
    await expectAccessible(page);
    const submissionId = await page.locator('tr[data-state="pending"]').getAttribute('data-submission');
    // reopened without a connection: the app comes from the browser, the queue from IndexedDB
    await page.reload();
    await page.locator(`tr[data-state="pending"][data-submission="${submissionId}"]`).waitFor();
    const reportUrl = `/api/v1/reports/report-M1719_Q_CAPITAL-${commune}-2026Q4`;
    expect((await api('GET', reportUrl)).status).toBe(404);

    await context.setOffline(false);
    await page.locator('tr[data-state="sent"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('tr[data-state="pending"]').count()).toBe(0);
    // a second flush sends nothing more
    await page.getByRole('button', { name: 'Gửi ngay' }).click();
    await running.waitUntilCaughtUp();
    const report = await api('GET', reportUrl);
    expect(report.status).toBe(200);
    expect(report.body.version).toBe(1);
    expect(report.body.history.map((h: { submissionId?: string }) => h.submissionId)).toEqual([submissionId]);
    await screenshot(page, 'queue-sent');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('Excel: downloads the pre-filled form, uploads it back with per-cell errors, then clean; a reviewer gets one workbook for all communes', async () => {
    const { context, page, errors } = await newSession(browser);
    const officer = login('commune_officer');
    await signIn(page, officer.username, officer.password);
    await page.goto(`${base}/#/form?template=M1719_S&orgUnit=${commune}&period=2025S1`);
    await page.locator('form.entry').waitFor();
    const downloadForm = async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Tải biểu mẫu Excel' }).click()]);
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(readFileSync((await download.path())!) as unknown as ExcelJS.Buffer);
      return book;
    };
    let workbook = await downloadForm();
    const valueCell = (element: string) => {
      const sheet = workbook.worksheets[0]!;
      for (let r = 1; r <= sheet.rowCount; r++) if (sheet.getRow(r).getCell(1).value === element && !sheet.getRow(r).getCell(2).value) return sheet.getRow(r).getCell(7);
      throw new Error(`no row for ${element}`);
    };
    valueCell('HH_TOTAL').value = 900;
    valueCell('HH_POOR').value = 'nhiều';
    const upload = page.getByLabel('Nộp tệp Excel');
    await upload.setInputFiles({ name: 'form.xlsx', mimeType: XLSX, buffer: Buffer.from(await workbook.xlsx.writeBuffer()) });
    const conflict = page.locator('tr.conflict', { hasText: 'HH_POOR' });
    await conflict.waitFor();
    expect(await conflict.locator('td').first().innerText()).toMatch(/G\d+/);
    await conflict.scrollIntoViewIfNeeded();
    await screenshot(page, 'excel-conflicts');
    await expectAccessible(page);

    // the valid cells of that upload were imported (as DHIS2 does): a fresh form comes pre-filled with them, and
    // the corrected file amends the report, with a reason
    workbook = await downloadForm();
    expect(valueCell('HH_TOTAL').value).toBe(900);
    valueCell('HH_POOR').value = 90;
    await page.locator('section.excel').getByLabel('Lý do sửa').fill('Sửa số hộ nghèo');
    await upload.setInputFiles({ name: 'form.xlsx', mimeType: XLSX, buffer: Buffer.from(await workbook.xlsx.writeBuffer()) });
    await page.locator('.import-summary[data-status="SUCCESS"]').waitFor();
    await running.waitUntilCaughtUp();
    const report = await api('GET', `/api/v1/reports/report-M1719_S-${commune}-2025S1`);
    expect(report.status).toBe(200);
    expect(report.body.values).toContainEqual({ dataElement: 'HH_TOTAL', value: 900 });
    expect(report.body.values).toContainEqual({ dataElement: 'HH_POOR', value: 90 });
    expect(report.body.history.at(-1).reason).toBe('Sửa số hộ nghèo');
    expect(errors).toEqual([]);
    await context.close();

    const rv = await newSession(browser);
    const reviewer = login('reviewer');
    await signIn(rv.page, reviewer.username, reviewer.password);
    await rv.page.goto(`${base}/#/review?orgUnit=19&template=M1719_S&period=2026S1`);
    const summary = rv.page.locator('p.summary');
    await summary.waitFor();
    const [all] = await Promise.all([rv.page.waitForEvent('download'), rv.page.getByRole('button', { name: 'Tải một tệp Excel cho mọi đơn vị trực thuộc' }).click()]);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(readFileSync((await all.path())!) as unknown as ExcelJS.Buffer);
    expect(book.worksheets.length).toBe(Number(await summary.getAttribute('data-expected')));
    expect(rv.errors).toEqual([]);
    await rv.context.close();
  });

  it('a reviewer sees completeness with the missing units, opens the report and approves it', async () => {
    const { context, page, errors } = await newSession(browser);
    const reviewer = login('reviewer');
    await signIn(page, reviewer.username, reviewer.password);
    await page.goto(`${base}/#/review?orgUnit=19&template=M1719_S&period=2026S1`);
    const summary = page.locator('p.summary');
    await summary.waitFor();
    const expected = Number(await summary.getAttribute('data-expected'));
    const received = Number(await summary.getAttribute('data-received'));
    expect(received).toBeGreaterThan(0);
    expect(await page.locator('ul.missing li').count()).toBe(expected - received);
    await screenshot(page, 'review');
    await expectAccessible(page);

    // alerts: the demo's target for the province's poverty rate is missed
    await page.goto(`${base}/#/alerts?orgUnit=19`);
    await page.locator('[data-target="POVERTY_RATE"]').waitFor();
    await screenshot(page, 'alerts');
    await expectAccessible(page);

    // the province's list of its whole subtree's reports (GET /reports?subtree=true), waiting ones first: open, approve
    const reportId = `report-M1719_S-${commune}-2026S2`;
    await page.goto(`${base}/#/review?orgUnit=19&template=M1719_S&period=2026S2`);
    const listed = page.locator(`section:has(#subtree-reports) tr[data-report="${reportId}"]`);
    await listed.waitFor();
    expect(await listed.locator('.badge').innerText()).toBe('Đã nộp');
    expect(await listed.locator('td').first().innerText()).toContain('Đức Xuân');
    await listed.scrollIntoViewIfNeeded();
    await screenshot(page, 'review-subtree-list');
    await expectAccessible(page);
    await listed.getByRole('link', { name: /Mở/ }).click();
    await page.getByLabel('Nhận xét').fill('Số liệu khớp với biên bản của xã');
    await page.getByRole('button', { name: 'Duyệt', exact: true }).click();
    await page.locator('.badge.st-approved').first().waitFor();
    await screenshot(page, 'report-approved');
    await expectAccessible(page);
    expect((await api('GET', `/api/v1/reports/${reportId}`)).body.status).toBe('approved');
    // back on the list: no longer waiting; under "approved" it is
    await page.goto(`${base}/#/review?orgUnit=19&template=M1719_S&period=2026S2`);
    const list = page.locator('section:has(#subtree-reports)');
    await list.locator('p.hint', { hasText: /^0 / }).waitFor();
    await list.getByLabel('Trạng thái').selectOption('approved');
    await list.locator(`tr[data-report="${reportId}"] .badge.st-approved`).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a reviewer gives every commune a task; the officer sees it in the inbox, reads the message and marks the task done', async () => {
    const reviewer = await newSession(browser);
    await signIn(reviewer.page, login('reviewer').username, login('reviewer').password);
    await reviewer.page.getByRole('link', { name: /^Thông báo/ }).click();
    const dueDate = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await reviewer.page.getByLabel('Tiêu đề').fill('Rà soát danh sách hộ nghèo'.normalize('NFD')); // as some keyboards type it
    await reviewer.page.getByLabel('Nội dung').fill('Đối chiếu với biên bản họp thôn');
    await reviewer.page.getByLabel('Hạn hoàn thành').fill(dueDate);
    expect(await reviewer.page.getByLabel('Giao cho').inputValue()).toBe('commune');
    await reviewer.page.getByRole('button', { name: 'Giao việc' }).click();
    const assigned = reviewer.page.getByRole('status').filter({ hasText: /^Đã giao cho \d+ đơn vị$/ });
    await assigned.waitFor();
    const units = Number(/\d+/.exec(await assigned.innerText())![0]);
    const { body: province } = await api('GET', '/api/v1/org-units/19'); // the current map: the province's communes are its children
    expect(units).toBe((province.children as unknown[]).length);
    expect(units).toBeGreaterThan(1);
    // the province's own list shows it without a reload, none done yet; stored in NFC
    await reviewer.page.locator('li[data-task]', { hasText: `0/${units} đơn vị đã xong` }).waitFor();
    const { body: listed } = await api('GET', '/api/v1/tasks?orgUnit=19');
    expect((listed.tasks as Array<{ title: string }>).map((x) => x.title)).toContain('Rà soát danh sách hộ nghèo'.normalize('NFC'));
    await screenshot(reviewer.page, 'inbox-assign');
    await expectAccessible(reviewer.page);
    // or to units it picks: found by a name typed without accents
    const picked = (province.children as Array<{ code: string; name: string }>).find((c) => c.code !== login('commune_officer').orgUnit && c.name.normalize('NFD') !== c.name)!; // a name with diacritics
    const plain = picked.name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
    await reviewer.page.getByLabel('Tiêu đề').fill('Báo cáo riêng một xã');
    await reviewer.page.getByLabel('Hạn hoàn thành').fill(dueDate);
    await reviewer.page.getByLabel('Giao cho').selectOption('pick');
    await reviewer.page.getByRole('button', { name: 'Giao việc' }).click();
    await reviewer.page.getByRole('status').filter({ hasText: 'Hãy chọn ít nhất một đơn vị' }).waitFor();
    await reviewer.page.getByLabel('Lọc đơn vị theo tên').fill(plain.toLowerCase());
    await reviewer.page.getByRole('checkbox', { name: picked.name }).check();
    await reviewer.page.locator('legend', { hasText: 'Đã chọn 1 đơn vị' }).waitFor();
    await reviewer.page.getByRole('button', { name: 'Giao việc' }).click();
    await reviewer.page.getByRole('status').filter({ hasText: /^Đã giao cho 1 đơn vị$/ }).waitFor();
    await reviewer.page.locator('li[data-task]', { hasText: 'Báo cáo riêng một xã' }).filter({ hasText: '0/1 đơn vị đã xong' }).waitFor();
    const { body: pickedTasks } = await api('GET', `/api/v1/tasks?orgUnit=${picked.code}`);
    expect((pickedTasks.tasks as Array<{ title: string }>).map((x) => x.title)).toContain('Báo cáo riêng một xã');
    await expectAccessible(reviewer.page);
    await running.waitUntilCaughtUp(); // the task reaches the communes' inboxes through the notification consumer

    const officer = login('commune_officer');
    const { context, page, errors } = await newSession(browser);
    await signIn(page, officer.username, officer.password);
    const menu = page.locator('nav a[href="#/inbox"]');
    await menu.locator('.count').waitFor();
    const unreadBefore = Number(/\((\d+)\)/.exec(await menu.innerText())![1]);
    expect(unreadBefore).toBeGreaterThanOrEqual(1);
    await menu.click();
    const task = page.locator('li[data-task]', { hasText: 'Rà soát danh sách hộ nghèo' });
    await task.waitFor();
    expect(await task.innerText()).toContain(dueDate);
    expect(await task.locator('.badge').innerText()).toBe('Chưa xong');
    const message = page.locator('li[data-kind="task.assigned"].unread');
    await message.waitFor();
    await screenshot(page, 'inbox');
    await expectAccessible(page);
    await message.getByRole('button', { name: /Đánh dấu đã đọc/ }).click();
    await page.locator('li[data-kind="task.assigned"].read').waitFor();
    // the menu's count follows at once
    await expect.poll(async () => menu.innerText()).toBe(unreadBefore - 1 === 0 ? 'Thông báo' : `Thông báo (${unreadBefore - 1})`);
    await task.getByRole('button', { name: /Đánh dấu đã xong/ }).click();
    await task.locator('.badge', { hasText: 'Đã xong' }).waitFor();
    // the language switch sets the account's language too: the messages come again, in English
    await page.getByRole('button', { name: 'Switch the language to English' }).click();
    await page.locator('li[data-kind="task.assigned"] .title', { hasText: 'Task: Rà soát danh sách hộ nghèo' }).waitFor();
    await page.getByRole('button', { name: 'Chuyển sang tiếng Việt' }).click();
    await page.locator('li[data-kind="task.assigned"] .title', { hasText: 'Nhiệm vụ: Rà soát danh sách hộ nghèo' }).waitFor();
    expect(errors).toEqual([]);
    await context.close();

    // the province sees how far the communes are
    await reviewer.page.reload();
    await reviewer.page.locator('li[data-task]', { hasText: `1/${units} đơn vị đã xong` }).waitFor();
    // a message per commune's report: the province reads them all at once, and the menu's count goes
    const reviewerMenu = reviewer.page.locator('nav a[href="#/inbox"]');
    await reviewerMenu.locator('.count').waitFor(); // the count is read after the page loads
    expect(await reviewerMenu.innerText()).toMatch(/^Thông báo \(\d+\)$/);
    // more than a page of them (the demo's communes reported): a hundred listed, "Xem thêm" lists the next
    const shown = reviewer.page.getByText(/^Đang hiện 100\/\d+ thông báo/);
    await shown.waitFor();
    const total = Number(/\/(\d+)/.exec(await shown.innerText())![1]);
    expect(total).toBeGreaterThan(100);
    const listedMessages = reviewer.page.locator('ul.messages li[data-kind]');
    expect(await listedMessages.count()).toBe(100);
    await reviewer.page.getByRole('button', { name: 'Xem thêm' }).click();
    await expect.poll(async () => listedMessages.count()).toBe(Math.min(200, total));
    expect(new Set(await listedMessages.evaluateAll((items) => items.map((li) => li.textContent))).size).toBeGreaterThan(100);
    await reviewer.page.getByRole('button', { name: 'Đánh dấu tất cả đã đọc' }).click();
    await expect.poll(async () => reviewerMenu.innerText()).toBe('Thông báo');
    expect(await reviewer.page.locator('ul.messages li.unread').count()).toBe(0);
    expect(reviewer.errors).toEqual([]);
    await reviewer.context.close();
  });

  it('an administrator sees the accounts and every problem of a refused catalog, JSON or XLSX, and publishes one from XLSX', async () => {
    const { context, page, errors } = await newSession(browser);
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await page.goto(`${base}/#/admin`);
    await page.locator('tr[data-account="demo.officer"]').waitFor();
    const publish = page.getByLabel('Ban hành từ tệp JSON hoặc Excel');
    await publish.setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ version: '', dataElements: [{ code: 'bad code' }] })) });
    const alert = page.getByRole('alert').filter({ hasText: 'INVALID_CATALOG' });
    await alert.waitFor();
    expect(await alert.locator('li').count()).toBeGreaterThan(1);
    await screenshot(page, 'admin');
    await expectAccessible(page);

    // download the version in force as a workbook, edit it in "Excel", upload it: a bad cell is named by its sheet and cell
    const current = (await api('GET', '/api/v1/catalog')).body.version as string;
    const [saved] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: new RegExp(`Tải Excel\\s+${current.replace(/\./g, '\\.')}$`) }).click()]);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(readFileSync((await saved.path())!) as unknown as ExcelJS.Buffer);
    const meta = book.getWorksheet('catalog')!;
    const field = (name: string) => [...Array(meta.rowCount).keys()].map((i) => meta.getRow(i + 1)).find((r) => r.getCell(1).value === name)!.getCell(2);
    field('version').value = 'web.xlsx.1';
    field('effectiveFrom').value = '2099-01-01'; // in force only from then: the other tests keep today's version
    field('effectiveTo').value = null;
    const elements = book.getWorksheet('dataElements')!;
    let valueTypeColumn = 0;
    elements.getRow(1).eachCell((c, col) => {
      if (c.value === 'valueType') valueTypeColumn = col;
    });
    const typeCell = elements.getRow(2).getCell(valueTypeColumn);
    const goodType = typeCell.value;
    typeCell.value = 'SỐ';
    await publish.setInputFiles({ name: 'catalog.xlsx', mimeType: XLSX, buffer: Buffer.from(await book.xlsx.writeBuffer()) });
    await page.getByRole('alert').filter({ hasText: 'INVALID_CATALOG' }).locator('li', { hasText: `dataElements!${typeCell.address}` }).waitFor();
    await screenshot(page, 'admin-catalog-xlsx-problems');
    await expectAccessible(page);
    typeCell.value = goodType;
    await publish.setInputFiles({ name: 'catalog.xlsx', mimeType: XLSX, buffer: Buffer.from(await book.xlsx.writeBuffer()) });
    await page.getByRole('status').filter({ hasText: 'web.xlsx.1' }).waitFor();
    await page.locator('section:has(#catalog)').getByRole('cell', { name: 'web.xlsx.1', exact: true }).waitFor();
    expect((await api('GET', '/api/v1/catalog?version=web.xlsx.1')).status).toBe(200);
    expect((await api('GET', '/api/v1/catalog')).body.version).toBe(current);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an administrator merges two units of the map, then splits one, from the admin screen', async () => {
    // two communes of Hà Nội (01) without demo data: the second is merged into the first
    const before = (await api('GET', '/api/v1/org-units/01?hierarchy=2025')).body.children as Array<{ code: string; level: string }>;
    const [into, merged] = before.filter((c) => c.level === 'commune').slice(-2).map((c) => c.code);
    const { context, page, errors } = await newSession(browser);
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await page.goto(`${base}/#/admin`);
    const card = page.locator('section:has(#hierarchy)');
    await card.getByLabel('Loại thay đổi').selectOption('merge');
    await card.getByLabel('Các đơn vị sáp nhập (mã)').fill(merged!);
    await card.getByLabel('Sáp nhập vào (mã)').fill(into!);
    await card.getByLabel('Lý do (căn cứ)').fill('Nghị quyết sáp nhập xã (thử nghiệm)');
    await card.getByRole('button', { name: 'Áp dụng' }).click();
    await card.getByRole('status').filter({ hasText: `${merged} → ${into}` }).waitFor();
    await card.getByRole('status').scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-hierarchy-merge');
    await expectAccessible(page);
    const after = (await api('GET', '/api/v1/org-units/01?hierarchy=2025')).body.children as Array<{ code: string }>;
    expect(after.map((c) => c.code)).toContain(into);
    expect(after.map((c) => c.code)).not.toContain(merged);
    // the same merge again: the unit is gone, and the screen shows the API's code
    await card.getByRole('button', { name: 'Áp dụng' }).click();
    await card.getByRole('alert').filter({ hasText: /UNKNOWN_ORG_UNIT|INVALID_REQUEST/ }).waitFor();

    // then split the enlarged commune in two: it keeps its code, a new commune 99990 takes part of it
    const unit = (await api('GET', `/api/v1/org-units/${into}?hierarchy=2025`)).body.unit as { name: string; type: string };
    await card.getByLabel('Loại thay đổi').selectOption('split');
    await card.getByLabel('Mã', { exact: true }).fill(into!);
    await card.getByLabel('Các đơn vị mới').fill(`${into}; ${unit.name}; ${unit.type}\n99990; Xã Tân Thành Mới; ${unit.type}`);
    await card.getByLabel('Lý do (căn cứ)').fill('Nghị quyết chia tách xã (thử nghiệm)');
    await card.getByRole('button', { name: 'Áp dụng' }).click();
    await card.getByRole('status').filter({ hasText: `split ${into}` }).waitFor();
    await card.getByRole('status').scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-hierarchy-split');
    await expectAccessible(page);
    const split = (await api('GET', '/api/v1/org-units/01?hierarchy=2025')).body.children as Array<{ code: string; name: string }>;
    expect(split.find((c) => c.code === '99990')?.name).toBe('Xã Tân Thành Mới');
    expect(split.map((c) => c.code)).toContain(into);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a citizen, without signing in, previews and downloads an open dataset with its licence and source', async () => {
    const { context, page, errors } = await newSession(browser);
    await page.goto(`${base}/#/open-data`);
    const card = page.locator('section.card').filter({ hasText: 'M1719_S' }).first();
    await card.waitFor();
    await card.getByText('Creative Commons Attribution 4.0').waitFor();
    await card.getByRole('button', { name: /Xem trước/ }).click();
    await card.locator('table.preview tbody tr').first().waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), card.locator('a[data-format="csv"]').click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\n')[0]).toContain('province_code');
    expect(csv).toContain('Thái Nguyên');
    await screenshot(page, 'open-data');
    await expectAccessible(page);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('fits a phone screen', async () => {
    const { context, page, errors } = await newSession(browser, PHONE);
    const officer = login('commune_officer');
    await signIn(page, officer.username, officer.password);
    await page.locator('tr[data-template="M1719_S"]').first().waitFor();
    await screenshot(page, 'due-phone');
    await page.goto(`${base}/#/form?template=M1719_S&orgUnit=${commune}&period=2026S1`);
    await page.locator('form.entry').waitFor();
    await screenshot(page, 'form-phone');
    // the page scrolls sideways nowhere: its width is the phone's (tables scroll inside their own box)
    const width = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE.width);
    await expectAccessible(page);
    expect(errors).toEqual([]);
    await context.close();
  });
});
