import { spawnAsync } from './spawn-async';
import { describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../src/infra/process';

/**
 * `pnpm chaos --mode distributed` at a tiny size on the test run's Kafka and MongoDB-compatible server: two
 * services SIGKILLed (seeded choice) and restarted under load, then every acknowledged report counted exactly
 * once. The broker belongs to the test run, so the Kafka restart is skipped (and said so).
 */
const brokers = inject('kafkaBrokers');
const mongoUrl = inject('mongoUrl');

describe.skipIf(brokers.length === 0 || !mongoUrl)('pnpm chaos --mode distributed (smoke)', () => {
  it('survives 2 service kills on 20 communes', async () => {
    const run = await spawnAsync(
      process.execPath,
      ['--import', 'tsx', 'packages/testkit/src/chaos/main.ts', '--mode', 'distributed', '--communes', '20', '--values', '10', '--kills', '2', '--window-sec', '8', '--load-timeout-sec', '90'],
      { cwd: repoRoot(), encoding: 'utf8', env: { ...process.env, KAFKA_BROKERS: brokers.join(','), MONGO_URL: mongoUrl }, timeout: 170_000 },
    );
    const lines = run.stdout.trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1] || '{}') as { correct: boolean; kills: Array<{ signal: string; process: string }>; kafkaRestart: string; acknowledged: number; submissions: number; reports: number; verification: { received: number } };
    expect(summary.kills, run.stderr.slice(-4000)).toHaveLength(2);
    expect(summary.kills.every((k) => k.signal === 'SIGKILL')).toBe(true);
    expect(summary.kafkaRestart).toMatch(/^skipped/);
    expect(summary.acknowledged).toBe(summary.submissions);
    expect(summary.verification.received).toBe(summary.reports);
    expect(summary.correct, run.stdout).toBe(true);
    expect(run.stdout).toContain('VERDICT: PASS');
    expect(run.status).toBe(0);
  }, 180_000);
});
