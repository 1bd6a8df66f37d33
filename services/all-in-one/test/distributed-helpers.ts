import { freePortBlock } from '@tally/testkit';
import { inject } from 'vitest';
import { startDistributed, type DistributedDeployment } from '../src/distributed/launcher';

/**
 * The six services as processes on the test run's Kafka and MongoDB-compatible server, isolated from other
 * suites by their own database and topic namespace (`run`), with authentication off unless `env` says otherwise.
 */
export async function startTestDeployment(run: string, env: Record<string, string> = {}): Promise<DistributedDeployment> {
  const base = await freePortBlock(20);
  return startDistributed({
    kafkaBrokers: inject('kafkaBrokers'),
    mongoUrl: inject('mongoUrl'),
    mongoDb: `tally_${run}`,
    kafkaNamespace: `${run}.`,
    gatewayPort: base,
    httpBasePort: base,
    grpcBasePort: base + 10,
    env: { LOG_LEVEL: 'warn', TALLY_DEMO: '0', TALLY_AUTH: 'off', ...env },
    stdio: 'inherit',
  });
}
