import { spawnAsync } from './spawn-async';
import { describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../src/infra/process';

/**
 * `pnpm bench --mode distributed` at a tiny size, on the Kafka and MongoDB-compatible server the test run
 * provides: the six services, half the reports over HTTP through the gateway and half over the gRPC
 * SubmitStream, then the rollups checked. Correctness and the shape of the JSON line only, no timing.
 */
const brokers = inject('kafkaBrokers');
const mongoUrl = inject('mongoUrl');

describe.skipIf(brokers.length === 0 || !mongoUrl)('pnpm bench --mode distributed (smoke)', () => {
  it('drives 20 communes x 10 values through six services over HTTP and gRPC and checks the rollups', async () => {
    const run = await spawnAsync(
      process.execPath,
      ['--import', 'tsx', 'packages/testkit/src/bench/main.ts', '--mode', 'distributed', '--communes', '20', '--values', '10', '--poll-ms', '100', '--grpc-batch', '5'],
      { cwd: repoRoot(), encoding: 'utf8', env: { ...process.env, KAFKA_BROKERS: brokers.join(','), MONGO_URL: mongoUrl }, timeout: 170_000 },
    );
    const lines = run.stdout.trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1] || '{}') as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(summary, run.stderr.slice(-4000)).toMatchObject({ mode: 'distributed', communes: 20, valuesPerReport: 10, reports: 20, correct: true });
    expect(summary.transport.grpcSubmissions).toBeGreaterThan(0);
    expect(summary.transport.httpSubmissions).toBeGreaterThan(0);
    expect(summary.transport.grpcSubmissions + summary.transport.httpSubmissions).toBe(summary.submissions);
    // RSS of each of the six services
    expect(Object.keys(summary.peakRssMbByProcess).sort()).toEqual(['hierarchy-rollup', 'indicator', 'ingestion', 'notification', 'open-data', 'projection']);
    expect(summary.infra).toMatchObject({ source: 'env' });
    expect(summary.baseline).toMatchObject({ correct: true });
    expect(run.status).toBe(0);
  }, 180_000);
});
