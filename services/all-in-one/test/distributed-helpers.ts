import { createServer } from 'node:net';
import { inject } from 'vitest';
import { startDistributed, type DistributedDeployment } from '../src/distributed/launcher';

/** `size` consecutive free TCP ports on 127.0.0.1 (the launcher places the gateway, six HTTP and six gRPC ports). */
export async function freePortBlock(size: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const free = await Promise.all(Array.from({ length: size }, (_, i) => isFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free port block');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

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
