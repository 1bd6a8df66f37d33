import * as grpc from '@grpc/grpc-js';
import { IngestionServiceClient, promisifyClientStream, type tallyv1 } from '@tally/contracts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '@tally/testkit/conformance';
import { demoCatalog } from '../src/demo';
import type { DistributedDeployment } from '../src/distributed/launcher';
import { getJson, householdValues, realRegistry, startTestPlatform, submit } from './helpers';
import { startTestDeployment } from './distributed-helpers';

/**
 * The six services as separate processes on a real Kafka broker and a MongoDB-compatible server (FerretDB
 * when nothing else is configured), talking gRPC. Reports go in over HTTP and over the gRPC client stream;
 * rollups are checked at commune, district, province and VN; a consumer service is SIGKILLed mid-stream and
 * restarted, and the totals stay exact. The same submissions in embedded mode give the same answers.
 */
const brokers = inject('kafkaBrokers');
const mongoUrl = inject('mongoUrl');
const PERIOD = '2024S2';
const DISTRICT = '168';


const communes = () => realRegistry().get('pre2025')!.childrenOf(DISTRICT).map((u) => u.code);
const valuesFor = (i: number) => householdValues(100 + i * 7, 10 + i);

describe.skipIf(brokers.length === 0 || !mongoUrl)('distributed mode: six processes on Kafka + MongoDB + gRPC', () => {
  let d: DistributedDeployment;
  /** the highest position acknowledged so far, for read-your-writes */
  let lastAcked = 0;
  const run = `t${Date.now().toString(36)}`;

  beforeAll(async () => {
    d = await startTestDeployment(run);
    const put = await fetch(`${d.url}/api/v1/catalog`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(demoCatalog()) });
    expect(put.status).toBeLessThan(300);
  }, 300_000);
  afterAll(async () => {
    await d?.stop();
  });

  const post = async (body: unknown) => {
    const r = await fetch(`${d.url}/api/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  /** GET as a client should: on 409 NOT_CAUGHT_UP ("retry shortly") it asks again, for a bounded time */
  const get = async (path: string) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const r = await fetch(`${d.url}${path}`);
      const body = (await r.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      if (r.status !== 409 || body.error?.code !== 'NOT_CAUGHT_UP' || Date.now() > deadline) return { status: r.status, body };
    }
  };

  it('accepts reports over HTTP and the gRPC stream and rolls them up at every level', async () => {
    const list = communes();
    // half over HTTP
    let last = 0;
    for (const [i, commune] of list.slice(0, 7).entries()) {
      const r = await post({ template: 'M1719_S', orgUnit: commune, period: PERIOD, submissionId: `d-${commune}`, values: valuesFor(i) });
      expect(r.status).toBe(202);
      last = Math.max(last, r.body.position as number);
    }
    // half over the gRPC client stream, with one bad report that is refused on its own
    const client = new IngestionServiceClient(`127.0.0.1:${d.ports.ingestion.grpc}`, grpc.credentials.createInsecure());
    const stream = promisifyClientStream(client, client.submitStream);
    const requests: tallyv1.SubmitStreamRequest[] = list.slice(7).map((commune, j) => ({
      report: {
        template: 'M1719_S',
        orgUnit: commune,
        period: PERIOD,
        submissionId: `d-${commune}`,
        values: valuesFor(7 + j).map((v) => ({ dataElement: v.dataElement, value: { $case: 'number' as const, value: v.value as number } })),
      },
    }));
    requests.push({ report: { template: 'M1719_S', orgUnit: '99999', period: PERIOD, submissionId: 'bad', values: [] } });
    const answer = await stream(requests);
    client.close();
    expect(answer.accepted).toBe(list.length - 7);
    expect(answer.rejected).toBe(1);
    expect(answer.results.at(-1)!.error!.code).toBe('UNKNOWN_ORG_UNIT');
    last = Math.max(last, ...answer.results.filter((r) => r.ok).map((r) => r.position));

    const total = list.reduce((n, _c, i) => n + 100 + i * 7, 0);
    for (const unit of [list[0]!, DISTRICT, '19', 'VN']) {
      const r = await get(`/api/v1/rollups?orgUnit=${unit}&period=${PERIOD}&after=${last}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.dataElements.HH_TOTAL).toBe(unit === list[0] ? 100 : total);
    }
    const district = await get(`/api/v1/rollups?orgUnit=${DISTRICT}&period=${PERIOD}`);
    expect(district.body.completeness.M1719_S).toMatchObject({ expected: 14, received: 14 });
  });

  it('keeps totals exact when a consumer service is SIGKILLed mid-stream and restarted', { timeout: 240_000 }, async () => {
    const more = realRegistry().get('pre2025')!.childrenOf('167').map((u) => u.code); // Định Hóa
    let acked = 0;
    const sending = (async () => {
      let last = 0;
      for (const [i, commune] of more.entries()) {
        const r = await post({ template: 'M1719_S', orgUnit: commune, period: PERIOD, submissionId: `k-${commune}`, values: valuesFor(i) });
        expect(r.status).toBe(202);
        acked++;
        last = Math.max(last, r.body.position as number);
      }
      return last;
    })();
    // mid-stream: once a few reports of this stream were acknowledged
    await waitFor(() => acked >= 3, 60_000, 'the first reports of the stream');
    await d.kill('hierarchy-rollup', 'SIGKILL');
    // ingestion keeps going meanwhile: its hierarchy look-ups wait for the peer to come back
    await d.start('hierarchy-rollup');
    const last = await sending;
    lastAcked = Math.max(lastAcked, last);
    const expected = communes().reduce((n, _c, i) => n + 100 + i * 7, 0) + more.reduce((n, _c, i) => n + 100 + i * 7, 0);
    const vn = await get(`/api/v1/rollups?orgUnit=VN&period=${PERIOD}&after=${last}`);
    expect(vn.status, JSON.stringify(vn.body)).toBe(200);
    expect(vn.body.dataElements.HH_TOTAL).toBe(expected);
    expect(vn.body.completeness.M1719_S.received).toBe(communes().length + more.length);
  });

  it('gives the same answers as embedded mode for the same submissions', async () => {
    const embedded = await startTestPlatform();
    try {
      for (const [i, commune] of communes().entries()) {
        expect((await submit(embedded, { orgUnit: commune, period: PERIOD, submissionId: `d-${commune}`, values: valuesFor(i) })).status).toBe(202);
      }
      const more = realRegistry().get('pre2025')!.childrenOf('167').map((u) => u.code);
      for (const [i, commune] of more.entries()) {
        expect((await submit(embedded, { orgUnit: commune, period: PERIOD, submissionId: `k-${commune}`, values: valuesFor(i) })).status).toBe(202);
      }
      await embedded.waitUntilCaughtUp();
      for (const unit of [communes()[0]!, DISTRICT, '167', '19', 'VN']) {
        const a = await get(`/api/v1/rollups?orgUnit=${unit}&period=${PERIOD}&after=${lastAcked}`);
        const b = await getJson(embedded, `/api/v1/rollups?orgUnit=${unit}&period=${PERIOD}`);
        const strip = ({ position: _p, ...rest }: Record<string, unknown>) => rest; // positions differ between stores
        expect(strip(a.body), unit).toEqual(strip(b.body));
      }
    } finally {
      await embedded.dispose();
    }
  });
});
