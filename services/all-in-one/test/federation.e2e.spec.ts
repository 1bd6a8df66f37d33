import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '@tally/contracts';
import { createLogger } from '@tally/runtime';
import type { UpstreamClient } from '@tally/svc-sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCatalog, startEmbeddedPlatform, type RunningPlatform } from '../src';
import { accountToken, bearer, startAuthPlatform, type AuthTestPlatform } from './auth-helpers';
import { householdValues, realRegistry } from './helpers';

/**
 * Two deployments side by side: national (upstream) and province 19 (linked with a `sync` account on 19).
 * The province gets the national catalog, submits and amends; the link is cut in the middle of a batch and
 * restored; the national rollups for 19 then equal the province's own, with each event's actor, time and reason.
 */
const PERIOD = '2026S1';
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The province's way to the national deployment: its HTTP API (in-process), and a switch to cut it mid-batch. */
function link(national: () => RunningPlatform, token: string) {
  const state = { cutAfter: null as number | null, pushes: 0 };
  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown): Promise<Json> => {
    const r = await national().app.inject({ method, url, headers: bearer(token), ...(payload ? { payload: payload as object } : {}) });
    if (r.statusCode >= 300) throw new Error(`upstream ${r.statusCode}: ${r.body}`);
    return r.json();
  };
  const client: UpstreamClient = {
    pull: (after, limit) => call('GET', `/api/v1/sync/events?after=${after}&limit=${limit}`),
    async push(events: StoredEvent[]) {
      state.pushes += 1;
      if (state.cutAfter !== null) {
        // the upstream receives only the first events of the batch, then the line drops: no answer
        await call('POST', '/api/v1/sync/events', { events: events.slice(0, state.cutAfter) });
        throw new Error('connection reset by peer');
      }
      return call('POST', '/api/v1/sync/events', { events });
    },
  };
  return { client, state };
}

async function rollup(p: RunningPlatform, headers: Record<string, string> = {}): Promise<Json> {
  await p.waitUntilCaughtUp();
  const r = await p.app.inject({ method: 'GET', url: `/api/v1/rollups?orgUnit=19&period=${PERIOD}`, headers });
  expect(r.statusCode, r.body).toBe(200);
  const { dataElements, indicators, completeness } = r.json() as Json;
  return { dataElements, indicators, completeness };
}

describe('federation: a province deployment linked to the national one', () => {
  let national: AuthTestPlatform;
  let province: RunningPlatform;
  let dir: string;
  let wire: ReturnType<typeof link>;
  const submit = (orgUnit: string, total: number, poor: number, submissionId: string, reason?: string) =>
    province.app.inject({ method: 'POST', url: '/api/v1/reports', payload: { template: 'M1719_S', orgUnit, period: PERIOD, submissionId, values: householdValues(total, poor), ...(reason ? { reason } : {}) } });

  beforeAll(async () => {
    national = await startAuthPlatform();
    const token = await accountToken(national, 'sync.province19', 'sync', '19');
    wire = link(() => national, token);
    dir = mkdtempSync(join(tmpdir(), 'tally-province-'));
    province = await startEmbeddedPlatform({
      config: { dataDir: dir, demo: false, auth: 'off', readYourWritesTimeoutMs: 5_000, upstreamUrl: 'http://national.test', upstreamToken: token, syncIntervalMs: 0 },
      logger: createLogger('province', 'silent'),
      registry: realRegistry(),
      upstream: wire.client,
      auth: { print: () => {} },
    });
  });
  afterAll(async () => {
    await province?.close();
    await national?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('down: the national catalog is in force in the province; local edits of what upstream owns get 409 UPSTREAM_OWNED', async () => {
    expect((await province.app.inject({ method: 'GET', url: '/api/v1/catalog' })).statusCode).toBe(404);
    await province.sync.agent!.syncOnce();
    await province.waitUntilCaughtUp();
    const catalog = await province.app.inject({ method: 'GET', url: `/api/v1/catalog?date=2026-06-30` });
    expect(catalog.statusCode).toBe(200);
    expect((catalog.json() as Json).version).toBe((demoCatalog() as Json).version);
    const edit = await province.app.inject({ method: 'PUT', url: '/api/v1/catalog', payload: { ...(demoCatalog() as object), version: 'local.1' } });
    expect(edit.statusCode).toBe(409);
    expect(edit.json().error.code).toBe('UPSTREAM_OWNED');
    // the catalog workbook upload is the same command: refused too, before the body is read
    const workbook = await province.app.inject({ method: 'PUT', url: '/api/v1/catalog/xlsx', payload: Buffer.from('PK'), headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } });
    expect(workbook.statusCode).toBe(409);
    expect(workbook.json().error.code).toBe('UPSTREAM_OWNED');
    const target = await province.app.inject({ method: 'PUT', url: '/api/v1/targets', payload: { indicator: 'POVERTY_RATE', orgUnit: '19', period: PERIOD, operator: '<=', value: 10 } });
    expect(target.json().error.code).toBe('UPSTREAM_OWNED');
  });

  it('up: submissions and an amendment reach national; a cut mid-batch resumes from the cursor; rollups for 19 equal the province\'s own', async () => {
    expect((await submit('01840', 1200, 150, 'a1')).statusCode).toBe(202);
    expect((await submit('01843', 900, 95, 'b1')).statusCode).toBe(202);
    expect((await submit('05443', 1500, 60, 'c1')).statusCode).toBe(202);
    expect((await submit('01840', 1250, 140, 'a2', 'Rà soát lại hộ nghèo')).statusCode).toBe(202);

    wire.state.cutAfter = 2;
    await expect(province.sync.agent!.syncOnce()).rejects.toThrow('connection reset');
    const cut = (await province.app.inject({ method: 'GET', url: '/api/v1/sync/status' })).json() as Json;
    expect(cut).toMatchObject({ linked: true, up: { lastError: { message: 'connection reset by peer' } }, down: { lastError: null } });
    expect(cut.up.lag).toBeGreaterThan(0);
    // national got the first two events only: 01840 (v1) and 01843
    const partial = await national.platform.store.readStream('report-M1719_S-01840-2026S1');
    expect(partial.map((e) => e.streamVersion)).toEqual([1]);

    wire.state.cutAfter = null;
    await province.sync.agent!.syncOnce();
    const restored = (await province.app.inject({ method: 'GET', url: '/api/v1/sync/status' })).json() as Json;
    expect(restored).toMatchObject({ up: { lag: 0, lastError: null }, down: { lag: 0, lastError: null }, mode: 'all' });

    const own = await rollup(province);
    expect(own.dataElements).toMatchObject({ HH_TOTAL: 1250 + 900 + 1500, HH_POOR: 140 + 95 + 60 });
    expect(await rollup(national, bearer(national.adminToken))).toEqual(own);

    // each event kept its original envelope and stream order
    const local = await province.platform.store.readStream('report-M1719_S-01840-2026S1');
    const mirrored = await national.platform.store.readStream('report-M1719_S-01840-2026S1');
    const strip = (e: StoredEvent) => ({ id: e.id, type: e.type, time: e.time, actor: e.actor, reason: e.reason, streamVersion: e.streamVersion, data: e.data });
    expect(mirrored.map(strip)).toEqual(local.map(strip));
    expect(mirrored[1]!.reason).toBe('Rà soát lại hộ nghèo');
  });

  it('a resent batch changes nothing upstream; events outside the link\'s subtree or not reports are refused', async () => {
    const events = await province.platform.store.readAll(0, 1000);
    const reports = events.filter((e) => e.type.startsWith('tally.report.'));
    const head = await national.platform.store.headPosition();
    const again = await wire.client.push(reports);
    expect(again).toEqual({ appended: 0, duplicates: reports.length });
    expect(await national.platform.store.headPosition()).toBe(head);

    const token = await accountToken(national, 'sync.province01', 'sync', '01');
    const other = await national.app.inject({ method: 'POST', url: '/api/v1/sync/events', headers: bearer(token), payload: { events: reports.slice(0, 1) } });
    expect(other.statusCode).toBe(403);
    const notReport = await national.app.inject({ method: 'POST', url: '/api/v1/sync/events', headers: bearer(token), payload: { events: events.filter((e) => e.type === 'tally.catalog.published') } });
    expect(notReport.statusCode).toBe(400);
    // only sync accounts exchange events
    expect((await national.app.inject({ method: 'GET', url: '/api/v1/sync/events', headers: bearer(national.adminToken) })).statusCode).toBe(403);
  });

  it('a catalog published nationally later is in force in the province after the next sync', async () => {
    const next = { ...(demoCatalog() as Json), version: '2026.9', legalBasis: 'Quyết định sửa đổi', effectiveFrom: '2026-07-01' };
    const put = await national.app.inject({ method: 'PUT', url: '/api/v1/catalog', payload: next, headers: bearer(national.adminToken) });
    expect(put.statusCode, put.body).toBeLessThan(300);
    await province.sync.agent!.syncOnce();
    await province.waitUntilCaughtUp();
    const inForce = await province.app.inject({ method: 'GET', url: '/api/v1/catalog?date=2026-12-31' });
    expect((inForce.json() as Json).version).toBe('2026.9');
  });

  it('hierarchy changes and the targets of the subtree flow down too', async () => {
    const rename = await national.app.inject({
      method: 'POST',
      url: '/api/v1/hierarchies/2025/changes',
      headers: bearer(national.adminToken),
      payload: { change: { kind: 'rename', code: '01840', name: 'Phường Đức Xuân Mới' }, reason: 'Nghị quyết đổi tên' },
    });
    expect(rename.statusCode, rename.body).toBeLessThan(300);
    for (const orgUnit of ['19', '01']) {
      const t = await national.app.inject({ method: 'PUT', url: '/api/v1/targets', headers: bearer(national.adminToken), payload: { indicator: 'POVERTY_RATE', orgUnit, period: PERIOD, operator: '<=', value: 9 } });
      expect(t.statusCode, t.body).toBeLessThan(300);
    }
    await province.sync.agent!.syncOnce();
    await province.waitUntilCaughtUp();
    const unit = (await province.app.inject({ method: 'GET', url: '/api/v1/org-units/01840?hierarchy=2025' })).json() as Json;
    expect(unit.unit.name).toBe('Phường Đức Xuân Mới');
    const events = await province.platform.store.readAll(0, 10_000);
    const targets = events.filter((e) => e.type === 'tally.target.set').map((e) => (e.data as Json).orgUnit);
    expect(targets).toEqual(['19']);
  });
});

describe('federation, approved only (TALLY_SYNC_UP=approved)', () => {
  let national: AuthTestPlatform;
  let province: RunningPlatform;
  let dir: string;
  const REPORT = `report-M1719_S-01840-${PERIOD}`;

  beforeAll(async () => {
    national = await startAuthPlatform();
    const token = await accountToken(national, 'sync.p19', 'sync', '19');
    dir = mkdtempSync(join(tmpdir(), 'tally-province-'));
    province = await startEmbeddedPlatform({
      config: { dataDir: dir, demo: false, auth: 'off', readYourWritesTimeoutMs: 5_000, upstreamUrl: 'http://national.test', upstreamToken: token, syncIntervalMs: 0, syncUp: 'approved' },
      logger: createLogger('province', 'silent'),
      registry: realRegistry(),
      upstream: link(() => national, token).client,
      auth: { print: () => {} },
    });
    await province.sync.agent!.syncOnce();
    await province.waitUntilCaughtUp();
  });
  afterAll(async () => {
    await province?.close();
    await national?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a report goes upstream only once approved at its last level, with its whole history in order', async () => {
    const send = (total: number, id: string, reason?: string) =>
      province.app.inject({ method: 'POST', url: '/api/v1/reports', payload: { template: 'M1719_S', orgUnit: '01840', period: PERIOD, submissionId: id, values: householdValues(total, 10), ...(reason ? { reason } : {}) } });
    expect((await send(100, 's1')).statusCode).toBe(202);
    expect((await send(110, 's2', 'sửa số hộ')).statusCode).toBe(202);
    await province.sync.agent!.syncOnce();
    expect(await national.platform.store.readStream(REPORT)).toEqual([]);

    const approve = await province.app.inject({ method: 'POST', url: `/api/v1/reports/${REPORT}/approve`, payload: { level: 'province' } });
    expect(approve.statusCode, approve.body).toBe(200);
    await province.sync.agent!.syncOnce();
    const mirrored = await national.platform.store.readStream(REPORT);
    expect(mirrored.map((e) => [e.streamVersion, e.type])).toEqual([
      [1, 'tally.report.submitted'],
      [2, 'tally.report.amended'],
      [3, 'tally.report.approved'],
    ]);
    const status = (await province.app.inject({ method: 'GET', url: '/api/v1/sync/status' })).json() as Json;
    expect(status).toMatchObject({ mode: 'approved', up: { lag: 0, lastError: null } });
  });
});
