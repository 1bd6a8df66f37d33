import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { spawnAsync } from './spawn-async';
import { describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../src/infra/process';

/**
 * `pnpm chaos --mode distributed` at a tiny size on the test run's MongoDB-compatible server: two services
 * SIGKILLed (seeded choice) and restarted under load, and the Kafka broker restarted once, then every acknowledged
 * report counted exactly once. The chaos command starts a broker of its own from the cached jars (restarting the
 * test run's broker would disturb other suites); without Java it uses the test run's broker and skips the restart.
 */
const brokers = inject('kafkaBrokers');
const mongoUrl = inject('mongoUrl');
const canRunOwnBroker = spawnSync(process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java', ['-version']).status === 0;

describe.skipIf(brokers.length === 0 || !mongoUrl)('pnpm chaos --mode distributed (smoke)', () => {
  it(`survives 2 service kills${canRunOwnBroker ? ' and a Kafka broker restart' : ''} on 20 communes`, async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, KAFKA_BROKERS: brokers.join(','), MONGO_URL: mongoUrl };
    if (canRunOwnBroker) delete env.KAFKA_BROKERS;
    const run = await spawnAsync(
      process.execPath,
      ['--import', 'tsx', 'packages/testkit/src/chaos/main.ts', '--mode', 'distributed', '--communes', '20', '--values', '10', '--kills', '2', '--window-sec', '12', '--load-timeout-sec', '90'],
      { cwd: repoRoot(), encoding: 'utf8', env, timeout: 200_000 },
    );
    const lines = run.stdout.trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1] || '{}') as { correct: boolean; kills: Array<{ signal: string; process: string }>; kafkaRestart: string; acknowledged: number; submissions: number; reports: number; verification: { received: number } };
    expect(summary.kills.filter((k) => k.signal === 'SIGKILL'), run.stderr.slice(-4000)).toHaveLength(2);
    if (canRunOwnBroker) {
      expect(summary.kafkaRestart).toBe('done');
      expect(summary.kills.filter((k) => k.signal === 'restart').map((k) => k.process)).toEqual(['kafka broker']);
    } else {
      expect(summary.kafkaRestart).toMatch(/^skipped/);
      expect(summary.kills).toHaveLength(2);
    }
    expect(summary.acknowledged).toBe(summary.submissions);
    expect(summary.verification.received).toBe(summary.reports);
    expect(summary.correct, run.stdout).toBe(true);
    expect(run.stdout).toContain('VERDICT: PASS');
    expect(run.status).toBe(0);
  }, 210_000);
});
