// vitest globalSetup: one Kafka + one MongoDB-compatible server for the whole run,
// handed to tests through `inject('kafkaBrokers')` / `inject('mongoUrl')`.
// TALLY_SKIP_INFRA=1 skips it (empty values) for quick unit runs; tests needing infra should skip on empty.
import type { TestProject } from 'vitest/node';
import { acquireInfrastructure } from './index';
import './provided-context';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.TALLY_SKIP_INFRA === '1') {
    project.provide('kafkaBrokers', []);
    project.provide('mongoUrl', '');
    return async () => undefined;
  }
  const infra = await acquireInfrastructure();
  project.provide('kafkaBrokers', infra.kafkaBrokers);
  project.provide('mongoUrl', infra.mongoUrl);
  return async () => {
    const t0 = Date.now();
    await infra.stop();
    process.stderr.write(`[tally-infra] stopped in ${Date.now() - t0} ms\n`);
  };
}
