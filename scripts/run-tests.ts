/**
 * Runs the vitest suite and ends with one plain summary line, "tests: N passed, N failed, N skipped",
 * which CI reads whatever runner printed before it. Exits with vitest's own exit code.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const results = '.cache/vitest-results.json';
mkdirSync('.cache', { recursive: true });
rmSync(results, { force: true });
const run = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
if (!existsSync(results)) {
  process.stdout.write('tests: 0 passed, 1 failed\n');
  process.exit(run.status || 1);
}
const r = JSON.parse(readFileSync(results, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number; numTotalTestSuites: number; numFailedTestSuites: number };
// a suite that fails to load counts as a failure even when no test inside it ran
const failed = r.numFailedTests + (r.numFailedTests === 0 ? r.numFailedTestSuites : 0);
process.stdout.write(`\ntests: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests + r.numTodoTests} skipped\n`);
process.exit(run.status ?? 1);
