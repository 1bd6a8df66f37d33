import { spawnAsync } from './spawn-async';
import { describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../src/infra/process';

/**
 * Two replicas of hierarchy-rollup in distributed mode, on the test run's Kafka and MongoDB-compatible server:
 * `pnpm bench --replicas hierarchy-rollup=2` (both replicas apply report events, every figure exact), then
 * `pnpm chaos --replicas hierarchy-rollup=2 --victims hierarchy-rollup#2` (the second replica SIGKILLed under load
 * and started again; every acknowledged report counted exactly once). Correctness only, no timing.
 */
const brokers = inject('kafkaBrokers');
const mongoUrl = inject('mongoUrl');
type Applied = Record<string, { service: string; replica: number; applied: Record<string, number> | null }>;

describe.skipIf(brokers.length === 0 || !mongoUrl)('distributed replicas of hierarchy-rollup (smoke)', () => {
  const env = { ...process.env, KAFKA_BROKERS: brokers.join(','), MONGO_URL: mongoUrl };
  const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) || '{}') as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('pnpm bench --replicas hierarchy-rollup=2: both replicas apply report events and every figure is exact', async () => {
    const run = await spawnAsync(
      process.execPath,
      ['--import', 'tsx', 'packages/testkit/src/bench/main.ts', '--mode', 'distributed', '--communes', '24', '--values', '10', '--poll-ms', '200', '--grpc-batch', '5', '--no-baseline', '--replicas', 'hierarchy-rollup=2'],
      { cwd: repoRoot(), encoding: 'utf8', env, timeout: 600_000 },
    );
    const summary = lastJson(run.stdout);
    expect(summary, run.stderr.slice(-4000)).toMatchObject({ mode: 'distributed', reports: 24, correct: true });
    const figures = summary.replicas.figures as Applied;
    expect(Object.keys(figures).sort()).toEqual(['hierarchy-rollup', 'hierarchy-rollup#2']);
    const rollups = Object.values(figures).map((f) => f.applied?.['hierarchy-rollup.rollups'] ?? 0);
    expect(rollups.every((n) => n > 0), JSON.stringify(figures)).toBe(true);
    // every report event applied at least once between them (a rebalance may hand a batch to the other again)
    expect(rollups.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(summary.submissions - summary.duplicateRetries);
    expect(summary.replicas.problems).toEqual([]);
    expect(Object.keys(summary.peakRssMbByProcess)).toContain('hierarchy-rollup#2');
    expect(summary.mongoOps.total).toBeGreaterThan(0);
    expect(run.status).toBe(0);
  }, 620_000);

  it('pnpm chaos --replicas hierarchy-rollup=2 --victims hierarchy-rollup#2: one replica of the pair killed under load, every report counted once', async () => {
    const run = await spawnAsync(
      process.execPath,
      [
        '--import', 'tsx', 'packages/testkit/src/chaos/main.ts', '--mode', 'distributed', '--communes', '20', '--values', '10', '--kills', '2',
        '--window-sec', '12', '--load-timeout-sec', '90', '--no-kafka-restart', '--replicas', 'hierarchy-rollup=2', '--victims', 'hierarchy-rollup#2',
      ],
      { cwd: repoRoot(), encoding: 'utf8', env, timeout: 600_000 },
    );
    const summary = lastJson(run.stdout) as { correct: boolean; kills: Array<{ signal: string; process: string }>; acknowledged: number; submissions: number; reports: number; verification: { received: number }; replicas: Applied };
    expect(summary.kills.map((k) => k.process), run.stderr.slice(-4000)).toEqual(['hierarchy-rollup#2', 'hierarchy-rollup#2']);
    expect(summary.acknowledged).toBe(summary.submissions);
    expect(summary.verification.received).toBe(summary.reports);
    expect(Object.keys(summary.replicas).sort()).toEqual(['hierarchy-rollup', 'hierarchy-rollup#2']);
    expect(summary.correct, run.stdout).toBe(true);
    expect(run.stdout).toContain('VERDICT: PASS');
    expect(run.status).toBe(0);
  }, 620_000);
});
