/**
 * `pnpm start:distributed [--with-infra] [--ephemeral] [--replicas SERVICE=N[,SERVICE=N]]`: the six services as separate processes against Kafka
 * and MongoDB, behind one gateway port, supervised (a service that exits is restarted with backoff).
 * Needs KAFKA_BROKERS and MONGO_URL; `--with-infra` starts a local Kafka broker and FerretDB itself, keeping
 * their data under TALLY_DATA_DIR (./.tally-data) across runs; `--ephemeral` throws that data away at stop.
 * Ports and addresses: README, Configuration. Ctrl-C (SIGINT) or SIGTERM stops the services first, then
 * Kafka and FerretDB, and exits 0. `--replicas hierarchy-rollup=2` runs two processes of that service: they share
 * its consumer groups' partitions, the gateway sends requests to them in turn, the other services' gRPC clients
 * fail over between them; replica n >= 2 listens on the ports after the highest first-replica ports.
 */
import { join, resolve } from 'node:path';
import { loadTokenSecret } from '@tally/auth';
import { startDistributed, type DistributedDeployment } from '../services/all-in-one/src/distributed/launcher';
import { distributedPorts, type DistributedPorts } from '../services/all-in-one/src/distributed/ports';
import { parseReplicas } from '../services/all-in-one/src/distributed/replicas';

const FLAGS = ['--with-infra', '--ephemeral'];
const say = (line: string): void => void process.stderr.write(`[tally] ${line}\n`);
const fail = (message: string): never => {
  say(message);
  process.exit(2);
};

const USAGE = 'usage: pnpm start:distributed [--with-infra] [--ephemeral] [--replicas SERVICE=N[,SERVICE=N]]';
const args: string[] = [];
const replicaSpecs: string[] = [];
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i]!;
  if (a === '--replicas') replicaSpecs.push(process.argv[++i] ?? fail(`--replicas needs SERVICE=N; ${USAGE}`));
  else if (a.startsWith('--replicas=')) replicaSpecs.push(a.slice('--replicas='.length));
  else args.push(a);
}
const unknown = args.filter((a) => !FLAGS.includes(a));
if (unknown.length > 0) fail(`unknown argument ${unknown.join(' ')}; ${USAGE}`);
const withInfra = args.includes('--with-infra');
const ephemeral = args.includes('--ephemeral');
let replicas: ReturnType<typeof parseReplicas> = {};
try {
  replicas = parseReplicas(replicaSpecs);
} catch (err) {
  fail((err as Error).message);
}
let ports: DistributedPorts;
try {
  ports = distributedPorts(process.env);
} catch (err) {
  ports = fail((err as Error).message);
}
const dataDir = resolve(process.env.TALLY_DATA_DIR ?? '.tally-data');

let deployment: DistributedDeployment | null = null;
let stopInfra: (() => Promise<void>) | null = null;
let stopping: Promise<void> | null = null;
function shutdown(signal: string): Promise<void> {
  return (stopping ??= (async () => {
    const t0 = Date.now();
    say(`${signal}: stopping the services`);
    await deployment?.stop();
    if (stopInfra) {
      say('stopping Kafka and FerretDB');
      await stopInfra();
    }
    say(`stopped in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  })().then(
    () => process.exit(0),
    (err: unknown) => {
      say(`stopping failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  ));
}
// the services and the infrastructure run in their own process groups: a terminal's Ctrl-C reaches only
// this process, which stops them in order (anything still starting dies with us, by its watchdog)
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(signal));

let kafkaBrokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
let mongoUrl = process.env.MONGO_URL ?? '';
if (withInfra && (kafkaBrokers.length === 0 || !mongoUrl)) {
  const { acquireInfrastructure } = await import('@tally/testkit');
  const infra = await acquireInfrastructure({ dataDir: ephemeral ? undefined : join(dataDir, 'infra'), detached: true });
  kafkaBrokers = infra.kafkaBrokers;
  mongoUrl = infra.mongoUrl;
  stopInfra = () => infra.stop();
}
if (kafkaBrokers.length === 0 || !mongoUrl) {
  fail('Set KAFKA_BROKERS and MONGO_URL, or run `pnpm start:distributed --with-infra` to start a local Kafka and FerretDB.');
}

// tokens stay valid across restarts unless the run is a throw-away one
const tokenSecret = process.env.TALLY_TOKEN_SECRET ?? (ephemeral ? undefined : loadTokenSecret(undefined, join(dataDir, 'distributed-token-secret')).toString('base64url'));
try {
  deployment = await startDistributed({
    kafkaBrokers,
    mongoUrl,
    mongoDb: process.env.MONGO_DB,
    kafkaNamespace: process.env.TALLY_KAFKA_NAMESPACE,
    gatewayPort: ports.gateway.port,
    gatewayHost: ports.gateway.host,
    httpBasePort: ports.gateway.port,
    grpcBasePort: 0,
    ports: ports.services,
    env: tokenSecret ? { TALLY_TOKEN_SECRET: tokenSecret } : {},
    supervise: true,
    replicas,
    report: say,
  });
} catch (err) {
  say(`could not start: ${err instanceof Error ? err.message : String(err)}`);
  await stopInfra?.();
  process.exit(1);
}
const states = deployment.state();
const pids = deployment.instances.map((i) => `  ${i.name}: pid ${states[i.name]?.pid}, http 127.0.0.1:${i.http}, grpc :${i.grpc}`).join('\n');
const where = ephemeral ? 'throw-away data (--ephemeral)' : `data in ${dataDir}`;
process.stdout.write(
  `\nTally is running (distributed mode: ${deployment.instances.length} processes, Kafka ${kafkaBrokers.join(',')}, MongoDB ${mongoUrl.replace(/\/\/[^@]*@/, '//***@')}; ${withInfra ? where : 'your Kafka and MongoDB'})\n` +
    `  API: http://${ports.gateway.host === '0.0.0.0' ? 'localhost' : ports.gateway.host}:${ports.gateway.port}/api/v1\n` +
    `  Ready: ${deployment.url}/health/ready\n${pids}\n  Ctrl-C stops everything.\n\n`,
);
