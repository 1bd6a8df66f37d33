/**
 * `pnpm start:distributed`: the six services as separate processes against Kafka and MongoDB,
 * behind one gateway port (PORT, default 8080). Needs KAFKA_BROKERS and MONGO_URL; with `--with-infra`
 * it starts a local Kafka broker and FerretDB itself (as the tests do).
 */
import { startDistributed } from '../services/all-in-one/src/distributed/launcher';

const withInfra = process.argv.includes('--with-infra');
let kafkaBrokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
let mongoUrl = process.env.MONGO_URL ?? '';
let stopInfra: (() => Promise<void>) | null = null;
if (withInfra && (kafkaBrokers.length === 0 || !mongoUrl)) {
  const { acquireInfrastructure } = await import('@tally/testkit');
  const infra = await acquireInfrastructure();
  kafkaBrokers = infra.kafkaBrokers;
  mongoUrl = infra.mongoUrl;
  stopInfra = () => infra.stop();
}
if (kafkaBrokers.length === 0 || !mongoUrl) {
  process.stderr.write('Set KAFKA_BROKERS and MONGO_URL, or run `pnpm start:distributed --with-infra` to start a local Kafka and FerretDB.\n');
  process.exit(2);
}
const port = Number(process.env.PORT ?? 8080);
const deployment = await startDistributed({ kafkaBrokers, mongoUrl, gatewayPort: port, httpBasePort: port, grpcBasePort: 9090 });
process.stdout.write(`\nTally is running (distributed mode: 6 processes, Kafka ${kafkaBrokers.join(',')}, MongoDB ${mongoUrl.replace(/\/\/[^@]*@/, '//***@')})\n  API: ${deployment.url}/api/v1\n  Health: ${deployment.url}/health\n\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void deployment
      .stop()
      .then(() => stopInfra?.())
      .then(() => process.exit(0));
  });
}
