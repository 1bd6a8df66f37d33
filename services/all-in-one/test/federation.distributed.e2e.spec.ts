import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@tally/runtime';
import { httpUpstreamClient, type UpstreamClient } from '@tally/svc-sync';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoCatalog, startEmbeddedPlatform, type RunningPlatform } from '../src';
import type { DistributedDeployment } from '../src/distributed/launcher';
import { householdValues, realRegistry } from './helpers';
import { startTestDeployment } from './distributed-helpers';

/**
 * Federation once more with the upstream in distributed mode (six processes on Kafka + MongoDB, reached over
 * real HTTP through its gateway): the province (embedded) gets the national catalog, submits and amends, the link
 * is cut mid-batch and restored, and the national rollups for 19 equal the province's own.
 */
const brokers = inject('kafkaBrokers');
const mongoUrl = inject('mongoUrl');
const PERIOD = '2026S1';
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any


describe.skipIf(brokers.length === 0 || !mongoUrl)('federation with a distributed upstream', () => {
  let national: DistributedDeployment;
  let province: RunningPlatform;
  let dir: string;
  const cut = { after: null as number | null };
  const run = `f${Date.now().toString(36)}`;

  beforeAll(async () => {
    national = await startTestDeployment(run);
    const put = await fetch(`${national.url}/api/v1/catalog`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(demoCatalog()) });
    expect(put.status).toBeLessThan(300);
    const http = httpUpstreamClient(national.url, 'auth-is-off-upstream');
    const client: UpstreamClient = {
      pull: (after, limit) => http.pull(after, limit),
      async push(events) {
        if (cut.after === null) return http.push(events);
        await http.push(events.slice(0, cut.after));
        throw new Error('connection reset by peer');
      },
    };
    dir = mkdtempSync(join(tmpdir(), 'tally-province-'));
    province = await startEmbeddedPlatform({
      config: { dataDir: dir, demo: false, auth: 'off', readYourWritesTimeoutMs: 5_000, upstreamUrl: national.url, upstreamToken: 'x', syncIntervalMs: 0 },
      logger: createLogger('province', 'silent'),
      registry: realRegistry(),
      upstream: client,
      auth: { print: () => {} },
    });
  }, 300_000);
  afterAll(async () => {
    await province?.close();
    await national?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('catalog down; submissions and an amendment up through a cut; national rollups for 19 equal the province\'s', async () => {
    // the catalog's event reaches the upstream's log through its relay: sync until it has come down
    const deadline = Date.now() + 120_000;
    for (;;) {
      await province.sync.agent!.syncOnce();
      await province.waitUntilCaughtUp();
      if ((await province.app.inject({ method: 'GET', url: '/api/v1/catalog' })).statusCode === 200 || Date.now() > deadline) break;
    }
    expect((await province.app.inject({ method: 'GET', url: '/api/v1/catalog' })).statusCode).toBe(200);

    const submit = (orgUnit: string, total: number, id: string, reason?: string) =>
      province.app.inject({ method: 'POST', url: '/api/v1/reports', payload: { template: 'M1719_S', orgUnit, period: PERIOD, submissionId: id, values: householdValues(total, 20), ...(reason ? { reason } : {}) } });
    for (const [unit, total, id] of [['01840', 500, 'a'], ['01843', 600, 'b'], ['05443', 700, 'c']] as const) expect((await submit(unit, total, id)).statusCode).toBe(202);
    expect((await submit('01840', 550, 'a2', 'sửa')).statusCode).toBe(202);

    cut.after = 2;
    await expect(province.sync.agent!.syncOnce()).rejects.toThrow('connection reset');
    cut.after = null;
    await province.sync.agent!.syncOnce();

    await province.waitUntilCaughtUp();
    const own = (await province.app.inject({ method: 'GET', url: `/api/v1/rollups?orgUnit=19&period=${PERIOD}` })).json() as Json;
    expect(own.dataElements.HH_TOTAL).toBe(550 + 600 + 700);
    // the upstream's consumers apply what was mirrored: read until its figure for 19 has caught up (bounded)
    let theirs: Json;
    const until = Date.now() + 120_000;
    do {
      const r = await fetch(`${national.url}/api/v1/rollups?orgUnit=19&period=${PERIOD}`);
      theirs = await r.json();
    } while (theirs.dataElements?.HH_TOTAL !== own.dataElements.HH_TOTAL && Date.now() < until);
    expect(theirs.dataElements).toEqual(own.dataElements);
    expect(theirs.indicators).toEqual(own.indicators);
  }, 300_000);
});
