// Developer helper: `tsx scripts/infra.ts up` starts a real Kafka and a MongoDB-compatible server
// (testcontainers if an engine answers, else local processes under .cache/), prints the env lines
// to use them, and keeps running until Ctrl-C / SIGTERM, which stops both and removes their data.
import { acquireInfrastructure } from '../packages/testkit/src/infra/index';

async function up(): Promise<void> {
  // Always start our own: values exported from an earlier `up` would otherwise be reused as-is.
  delete process.env.KAFKA_BROKERS;
  delete process.env.MONGO_URL;
  const infra = await acquireInfrastructure();
  process.stdout.write(`KAFKA_BROKERS=${infra.kafkaBrokers.join(',')}\nMONGO_URL=${infra.mongoUrl}\n`);
  process.stderr.write(`(${infra.source}) running; Ctrl-C to stop\n`);

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: stopping...\n`);
    infra.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  setInterval(() => undefined, 1 << 30); // keep the event loop alive
}

const cmd = process.argv[2];
if (cmd === 'up') {
  up().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
} else {
  process.stderr.write('usage: tsx scripts/infra.ts up\n');
  process.exit(2);
}
