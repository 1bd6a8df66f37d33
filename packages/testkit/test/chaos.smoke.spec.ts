import { spawnAsync } from './spawn-async';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/infra/process';

/** `pnpm chaos` at a tiny size: two SIGKILLs under load, then every acknowledged report counted exactly once. */
describe('pnpm chaos (smoke)', () => {
  it('survives 2 kills on 40 communes', async () => {
    const run = await spawnAsync(process.execPath, ['--import', 'tsx', 'packages/testkit/src/chaos/main.ts', '--communes', '40', '--values', '10', '--kills', '2', '--window-sec', '6'], {
      cwd: repoRoot(),
      encoding: 'utf8',
      timeout: 110_000,
    });
    const lines = run.stdout.trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1]!) as { correct: boolean; kills: unknown[]; acknowledged: number; submissions: number; reports: number; verification: { received: number } };
    expect(summary.kills, run.stderr).toHaveLength(2);
    expect(summary.acknowledged).toBe(summary.submissions);
    expect(summary.verification.received).toBe(summary.reports);
    expect(summary.correct, run.stdout).toBe(true);
    expect(run.stdout).toContain('VERDICT: PASS');
    expect(run.status).toBe(0);
  }, 120_000);
});
