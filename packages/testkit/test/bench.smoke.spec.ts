import { spawnAsync } from './spawn-async';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/infra/process';

/**
 * `pnpm bench` at a tiny size, as a user runs it: correctness and the shape of the JSON line only.
 * No timing is asserted; figures come from the bench itself (docs/performance.md).
 */
describe('pnpm bench (smoke)', () => {
  it('drives 30 communes x 10 values through the platform and checks the rollups', async () => {
    const run = await spawnAsync(process.execPath, ['--import', 'tsx', 'packages/testkit/src/bench/main.ts', '--communes', '30', '--values', '10', '--poll-ms', '25'], {
      cwd: repoRoot(),
      encoding: 'utf8',
      timeout: 110_000,
    });
    const lines = run.stdout.trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
    expect(summary, run.stderr).toMatchObject({ mode: 'embedded', communes: 30, valuesPerReport: 10, reports: 30, correct: true });
    for (const key of ['reports', 'values', 'acceptedValuesPerSec', 'timeToNationalSec', 'peakRssMb']) expect(typeof summary[key], key).toBe('number');
    for (const key of ['p50', 'p95', 'p99']) expect(typeof (summary.freshnessMs as Record<string, unknown>)[key]).toBe('number');
    for (const key of ['p50', 'p99', 'rateLimited']) expect(typeof (summary.apiLatencyMs as Record<string, unknown>)[key]).toBe('number');
    // the main threads' share of the platform's CPU: a part of it
    expect(summary.platformMainThreadCpuSec as number).toBeGreaterThan(0);
    expect(summary.platformMainThreadCpuSec as number).toBeLessThanOrEqual(summary.platformCpuSec as number);
    // the reports went in through one account per province (30 sampled communes span several provinces)
    expect(summary.submitters).toBeGreaterThan(1);
    expect(summary.baseline).toMatchObject({ engine: expect.stringContaining('sqlite'), correct: true });
    expect(typeof (summary.baseline as Record<string, unknown>).bulkInsertValuesPerSec).toBe('number');
    expect(typeof (summary.baseline as Record<string, unknown>).batchRollupSec).toBe('number');
    expect(run.status).toBe(0);
  }, 120_000);

  it('refuses distributed mode without Kafka and MongoDB when it may not start them, with exit code 2', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, TALLY_BENCH_LOCAL_INFRA: '0' };
    delete env.KAFKA_BROKERS;
    delete env.MONGO_URL;
    const run = await spawnAsync(process.execPath, ['--import', 'tsx', 'packages/testkit/src/bench/main.ts', '--mode', 'distributed', '--communes', '5', '--values', '2'], {
      cwd: repoRoot(),
      encoding: 'utf8',
      env,
      timeout: 60_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('KAFKA_BROKERS');
  }, 60_000);
});
