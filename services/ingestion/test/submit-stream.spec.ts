import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestionServiceClient, promisifyClientStream, startGrpcServer, tallyv1, type HierarchyQuery, type OrgUnitView, type RunningGrpcServer } from '@tally/contracts';
import { openSqliteEventStore, type EventStore } from '@tally/eventstore';
import { ingestionGrpc } from '../src/grpc';
import { catalogs } from './demo-catalog';

/**
 * IngestionService.SubmitStream over a real gRPC connection: reports of one call are worked on several at a time,
 * so the answers must still come one per report in the order sent, and the reports of ONE report stream (a
 * submission and its amendments) must still be applied in the order sent. The store answers reads after a random
 * delay, so that concurrent work finishes out of order.
 */

const COMMUNES = Array.from({ length: 24 }, (_, i) => String(10_000 + i).padStart(5, '0'));
const unitOf = (code: string): OrgUnitView | undefined =>
  code === '01' ? { code, name: code, shortName: code, type: 'province', level: 'province', parentCode: null }
  : COMMUNES.includes(code) ? { code, name: code, shortName: code, type: 'commune', level: 'commune', parentCode: '01' }
  : undefined;
const hierarchy: HierarchyQuery = {
  versionFor: async () => '2025',
  versions: async () => [{ id: '2025', validFrom: '2025-07-01', levels: ['country', 'province', 'commune'] }],
  unit: async (_h, code) => unitOf(code),
  path: async (_h, code) => (code === '01' ? ['01'] : ['01', code]),
  children: async () => [],
  countAtLevel: async () => 0,
};

/** The store, with every stream read answered 0-20 ms late. */
function jittery(store: EventStore): EventStore {
  const later = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (key === 'readStream') return async (...args: Parameters<EventStore['readStream']>) => (await later(), target.readStream(...args));
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const report = (orgUnit: string, submissionId: string, households: number, reason?: string): tallyv1.SubmitStreamRequest => ({
  report: tallyv1.Report.fromPartial({
    template: 'M1719_S',
    orgUnit,
    period: '2026S1',
    submissionId,
    values: [{ dataElement: 'HH_TOTAL', value: { $case: 'number', value: households } }],
    ...(reason ? { reason } : {}),
  }),
});

describe('IngestionService.SubmitStream', () => {
  let server: RunningGrpcServer | undefined;
  let client: IngestionServiceClient | undefined;
  afterEach(async () => {
    client?.close();
    await server?.stop();
  });

  it('answers one result per report in the order sent, and applies a report and its amendments in the order sent', async () => {
    const store = openSqliteEventStore(':memory:');
    server = await startGrpcServer('127.0.0.1:0', ingestionGrpc({ store: jittery(store), catalog: catalogs, hierarchy, nudgeRelay: () => undefined }));
    client = new IngestionServiceClient(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
    const submitStream = promisifyClientStream(client, client.submitStream);

    const AMENDED = COMMUNES[0]!;
    const requests: tallyv1.SubmitStreamRequest[] = [report(AMENDED, 'a-1', 100)];
    COMMUNES.slice(1).forEach((c, i) => {
      requests.push(report(c, `s-${c}`, 10 + i));
      if (i === 5) requests.push(report('99999', 'unknown-unit', 1)); // refused on its own
      if (i < 3 || i % 6 === 0) requests.push(report(AMENDED, `a-${i + 2}`, 100 + i, `correction ${i}`));
    });
    const answer = await submitStream(requests);

    expect(answer.results.map((r) => r.index)).toEqual(requests.map((_, i) => i));
    expect(answer.rejected).toBe(1);
    expect(answer.accepted).toBe(requests.length - 1);
    const refused = answer.results.find((r) => !r.ok)!;
    expect(requests[refused.index]!.report!.orgUnit).toBe('99999');
    expect(refused.error!.code).toBe('UNKNOWN_ORG_UNIT');

    // the amended report's versions follow the order its requests were sent in
    const amended = answer.results.filter((r) => r.ok && requests[r.index]!.report!.orgUnit === AMENDED);
    expect(amended.map((r) => r.version)).toEqual(amended.map((_, i) => i + 1));
    const events = await store.readStream(amended[0]!.reportId);
    const sent = requests.filter((r) => r.report!.orgUnit === AMENDED).map((r) => r.report!.submissionId);
    expect(events.map((e) => (e.data as { submissionId: string }).submissionId)).toEqual(sent);
  });
});
