// Real Kafka + MongoDB-compatible server for integration tests, from the cheapest source available:
//   1. env KAFKA_BROKERS / MONGO_URL (each on its own: CI services, a developer's `scripts/infra.ts up`)
//   2. testcontainers, when a container engine answers
//   3. local processes: Kafka from Maven Central jars, FerretDB built with Go (no engine here)
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFerretDb } from './ferretdb';
import { startKafka } from './kafka';
import { freePort, freePorts } from './ports';
import { cacheDir, log } from './process';

export { ensureFerretDbBinary, ferretDbSynchronous, startFerretDb, type FerretDb, type FerretDbOptions } from './ferretdb';
export { CHROMIUM_FLAGS, ensureChromium } from './chromium';
export { freePort, freePortBlock, freePorts } from './ports';
export { repoRoot } from './process';
export { ensureKafkaJars, restartKafka, startKafka, KAFKA_VERSION, type KafkaBroker, type KafkaOptions } from './kafka';

export type InfraSource = 'env' | 'testcontainers' | 'local';

export interface Infrastructure {
  kafkaBrokers: string[];
  mongoUrl: string;
  /** Where the values came from; 'env' only when both came from the environment. */
  source: InfraSource;
  stop(): Promise<void>;
}

interface Started<T> {
  value: T;
  stop(): Promise<void>;
}

export interface InfrastructureOptions {
  /**
   * Keep Kafka's and FerretDB's data here across runs, on the same ports each run (chosen once, kept in
   * `ports.json`): `pnpm start:distributed --with-infra`. Always local processes (containers keep nothing).
   * Default: a per-run folder under .cache, removed at stop (the tests).
   */
  dataDir?: string;
  /** run the servers in their own process group, so a terminal's Ctrl-C reaches only the caller, which stops them last */
  detached?: boolean;
}

export async function acquireInfrastructure(options: InfrastructureOptions = {}): Promise<Infrastructure> {
  const t0 = Date.now();
  const envKafka = process.env.KAFKA_BROKERS?.split(',').map((s) => s.trim()).filter(Boolean);
  const envMongo = process.env.MONGO_URL?.trim() || undefined;
  const needKafka = !envKafka?.length;
  const needMongo = !envMongo;

  let source: InfraSource = 'env';
  let kafka: Started<string[]> = { value: envKafka ?? [], stop: async () => undefined };
  let mongo: Started<string> = { value: envMongo ?? '', stop: async () => undefined };
  let cleanup = (): void => undefined;

  if (needKafka || needMongo) {
    source = !options.dataDir && (await containerRuntimeAvailable()) ? 'testcontainers' : 'local';
    const started =
      source === 'testcontainers'
        ? await startContainers(needKafka, needMongo)
        : options.dataDir
          ? await startLocalKept(needKafka, needMongo, options.dataDir, options.detached ?? false)
          : await startLocal(needKafka, needMongo, options.detached ?? false);
    if (started.kafka) kafka = started.kafka;
    if (started.mongo) mongo = started.mongo;
    if (started.cleanup) cleanup = started.cleanup;
  }
  log(`infrastructure (${source}) ready in ${Date.now() - t0} ms: KAFKA_BROKERS=${kafka.value.join(',')} MONGO_URL=${mongo.value}`);
  return {
    kafkaBrokers: kafka.value,
    mongoUrl: mongo.value,
    source,
    async stop() {
      await Promise.allSettled([kafka.stop(), mongo.stop()]);
      cleanup();
    },
  };
}

/** Without an engine, testcontainers throws "Could not find a working container runtime strategy" in milliseconds. */
async function containerRuntimeAvailable(): Promise<boolean> {
  if (process.env.TALLY_INFRA_NO_CONTAINERS) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

interface StartedPair {
  kafka?: Started<string[]>;
  mongo?: Started<string>;
  /** Runs after both are stopped (local: removes the run's data dir). */
  cleanup?: () => void;
}

/** A throw-away pair in a per-run folder, removed at stop (the tests). */
async function startLocal(needKafka: boolean, needMongo: boolean, detached: boolean): Promise<StartedPair> {
  removeStaleRuns();
  const root = join(cacheDir(), 'infra-run', `${process.pid}-${Date.now()}`);
  const remove = () => rmSync(root, { recursive: true, force: true });
  const started = await startPair(needKafka, needMongo, { root, detached }, remove);
  return { ...started, cleanup: remove };
}

/** A pair whose data stays in `root` across runs, on the ports it got the first time. */
async function startLocalKept(needKafka: boolean, needMongo: boolean, root: string, detached: boolean): Promise<StartedPair> {
  mkdirSync(root, { recursive: true });
  const file = join(root, 'ports.json');
  const kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<KeptPorts>) : {};
  const ports = await keptPorts(kept);
  writeFileSync(file, `${JSON.stringify(ports, null, 2)}\n`);
  log(`data kept in ${root}`);
  return startPair(needKafka, needMongo, { root, detached, ports }, () => undefined);
}

interface KeptPorts {
  kafka: number;
  kafkaController: number;
  ferretdb: number;
}

/** The ports of an earlier run, or new ones when there were none (or a file from before they were distinct). */
async function keptPorts(kept: Partial<KeptPorts>): Promise<KeptPorts> {
  const { kafka, kafkaController, ferretdb } = kept;
  if (kafka && kafkaController && ferretdb && new Set([kafka, kafkaController, ferretdb]).size === 3) {
    return { kafka, kafkaController, ferretdb };
  }
  const [k, c, f] = await freePorts(3);
  return { kafka: k!, kafkaController: c!, ferretdb: f! };
}

async function startPair(
  needKafka: boolean,
  needMongo: boolean,
  at: { root: string; detached: boolean; ports?: KeptPorts },
  onFailure: () => void,
): Promise<StartedPair> {
  // In parallel: the cold path is a Maven download (network) next to a Go build (CPU).
  const [m, k] = await Promise.allSettled([
    needMongo ? startFerretDb({ dataDir: join(at.root, 'ferretdb'), port: at.ports?.ferretdb, detached: at.detached }) : undefined,
    needKafka
      ? startKafka({ dataDir: join(at.root, 'kafka'), port: at.ports?.kafka, controllerPort: at.ports?.kafkaController, detached: at.detached })
      : undefined,
  ]);
  if (m.status === 'rejected' || k.status === 'rejected') {
    await Promise.allSettled([m.status === 'fulfilled' && m.value?.stop(), k.status === 'fulfilled' && k.value?.stop()]);
    onFailure();
    throw m.status === 'rejected' ? m.reason : (k as PromiseRejectedResult).reason;
  }
  const out: StartedPair = {};
  if (m.value) out.mongo = { value: m.value.url, stop: m.value.stop };
  if (k.value) out.kafka = { value: k.value.brokers, stop: k.value.stop };
  return out;
}

/** Data of runs whose process died without stopping (SIGKILL, crash) would pile up: remove it. */
function removeStaleRuns(): void {
  const dir = join(cacheDir(), 'infra-run');
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const pid = Number(name.split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) rmSync(join(dir, name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Not runnable on the dev machines (no engine); kept small for CI runners that have Docker. */
async function startContainers(needKafka: boolean, needMongo: boolean): Promise<StartedPair> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const out: StartedPair = {};
  const [k, m] = await Promise.all([
    needKafka
      ? (async () => {
          // Kafka advertises the address clients must dial, which is only known after a random
          // mapping; so bind the same free port on host and container and advertise that.
          const port = await freePort();
          return new GenericContainer('apache/kafka:4.1.0')
            .withExposedPorts({ container: port, host: port })
            .withEnvironment({
              KAFKA_NODE_ID: '1',
              KAFKA_PROCESS_ROLES: 'broker,controller',
              KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},CONTROLLER://0.0.0.0:9093`,
              KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://localhost:${port}`,
              KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
              KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
              KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
              KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
              KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
              KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
              KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
              KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
              KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
            })
            .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
            .withStartupTimeout(120_000)
            .start()
            .then((c) => ({ c, port }));
        })()
      : undefined,
    needMongo
      ? new GenericContainer('mongo:7').withExposedPorts(27017).withWaitStrategy(Wait.forLogMessage(/Waiting for connections/)).start()
      : undefined,
  ]);
  if (k) out.kafka = { value: [`${k.c.getHost()}:${k.port}`], stop: async () => void (await k.c.stop()) };
  if (m) out.mongo = { value: `mongodb://${m.getHost()}:${m.getMappedPort(27017)}/`, stop: async () => void (await m.stop()) };
  return out;
}
