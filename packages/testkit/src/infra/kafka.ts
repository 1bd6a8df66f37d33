// A real single-node Apache Kafka (KRaft) broker run from Maven Central jars: no Docker,
// no Kafka distribution download, only Java 17+ and Maven.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { freePorts } from './ports';
import { announceIfSlow, cacheDir, log, run, spawnManaged, waitUntil } from './process';

export const KAFKA_VERSION = '4.1.0';
const LOG4J_VERSION = '2.24.3';
// kafka_2.13 pins slf4j-api 1.7 (Maven's nearest-wins would pick it); the log4j slf4j2 binding needs 2.x.
const SLF4J_VERSION = '2.0.17';

// The core POM brings no logging backend at run time, so log4j2 is added explicitly.
const POM = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>tally.local</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${KAFKA_VERSION}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>${SLF4J_VERSION}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>${LOG4J_VERSION}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId><version>${LOG4J_VERSION}</version></dependency>
  </dependencies>
</project>
`;

const LOG4J2_XML = `<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <Console name="stderr" target="SYSTEM_ERR"><PatternLayout pattern="%d{HH:mm:ss.SSS} %-5p [%c{1}] %m%n"/></Console>
  </Appenders>
  <Loggers><Root level="WARN"><AppenderRef ref="stderr"/></Root></Loggers>
</Configuration>
`;

/**
 * Downloads the broker's classpath into .cache/kafka/lib once. The stamp holds the POM's hash,
 * so a version bump re-downloads; lib/ is filled in a temp dir and renamed, so concurrent
 * callers never see half a classpath. Returns the classpath glob.
 */
export async function ensureKafkaJars(): Promise<string> {
  const dir = join(cacheDir(), 'kafka');
  const lib = join(dir, 'lib');
  const stamp = join(lib, '.complete');
  const hash = createHash('sha256').update(POM).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return join(lib, '*');

  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pom.xml'), POM);
  const tmp = `lib.tmp-${process.pid}`;
  rmSync(join(dir, tmp), { recursive: true, force: true });
  await announceIfSlow(`downloading Kafka ${KAFKA_VERSION} jars with Maven (first run only)`, () =>
    run('mvn', ['-B', '-q', 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies', `-DoutputDirectory=${tmp}`], { cwd: dir }),
  );
  writeFileSync(join(dir, tmp, '.complete'), hash);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) {
    rmSync(join(dir, tmp), { recursive: true, force: true }); // another process finished first: keep its lib/
  } else {
    rmSync(lib, { recursive: true, force: true }); // an older version's classpath
    renameSync(join(dir, tmp), lib);
  }
  return join(lib, '*');
}

export interface KafkaOptions {
  /** Holds server.properties, log4j2.xml and the broker's logs; reused across restarts. */
  dataDir: string;
  /** Client (PLAINTEXT) port; a free one if omitted. */
  port?: number;
  /** KRaft controller port; a free one if omitted. */
  controllerPort?: number;
  startTimeoutMs?: number;
  /** its own process group (see spawnManaged) */
  detached?: boolean;
}

export interface KafkaBroker {
  brokers: string[];
  /** Fully resolved options: `startKafka(broker.options)` starts it again on the same data and ports. */
  options: Required<KafkaOptions>;
  stop(): Promise<void>;
}

const java = (): string => (process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java');

function serverProperties(o: Required<KafkaOptions>): string {
  const host = '127.0.0.1';
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=${host}:${o.controllerPort}`,
    `listeners=PLAINTEXT://${host}:${o.port},CONTROLLER://${host}:${o.controllerPort}`,
    `advertised.listeners=PLAINTEXT://${host}:${o.port},CONTROLLER://${host}:${o.controllerPort}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${join(o.dataDir, 'logs')}`,
    // single node: internal topics must not ask for 3 replicas (kafkajs then sees "group coordinator is not available")
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'num.partitions=1',
    'auto.create.topics.enable=true',
    '',
  ].join('\n');
}

/** Starts (or restarts, same dataDir) a broker and waits until an admin describeCluster works. */
export async function startKafka(opts: KafkaOptions): Promise<KafkaBroker> {
  const t0 = Date.now();
  const classpath = await ensureKafkaJars();
  // the broker and controller listeners must differ, also from a port the caller chose
  const spare = (await freePorts(2)).filter((p) => p !== opts.port && p !== opts.controllerPort);
  const o: Required<KafkaOptions> = {
    dataDir: opts.dataDir,
    port: opts.port ?? spare.shift()!,
    controllerPort: opts.controllerPort ?? spare.shift()!,
    startTimeoutMs: opts.startTimeoutMs ?? 120_000,
    detached: opts.detached ?? false,
  };
  mkdirSync(o.dataDir, { recursive: true });
  const props = join(o.dataDir, 'server.properties');
  const log4j = join(o.dataDir, 'log4j2.xml');
  writeFileSync(props, serverProperties(o));
  writeFileSync(log4j, LOG4J2_XML);
  const jvm = ['-Xms256m', '-Xmx512m', '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${log4j}`, '-cp', classpath];

  // Format once per dataDir (a restart finds meta.properties and skips a JVM start).
  if (!existsSync(join(o.dataDir, 'logs', 'meta.properties'))) {
    const clusterId = Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url'); // 16 bytes, unpadded
    // `--cluster-id=<id>`: a base64url id may start with '-', which the tool would read as an option
    await run(java(), [...jvm, 'kafka.tools.StorageTool', 'format', '--standalone', `--cluster-id=${clusterId}`, '-c', props, '--ignore-formatted']);
  }

  const proc = spawnManaged('kafka', java(), [...jvm, 'kafka.Kafka', props], { cwd: o.dataDir, detached: o.detached });
  const brokers = [`127.0.0.1:${o.port}`];
  await waitUntil(`Kafka broker on ${brokers[0]}`, proc, () => describeCluster(brokers), o.startTimeoutMs);
  // __consumer_offsets is created lazily by the first consumer group, which then sees "coordinator
  // not available / loading" errors and backs off; do it here so tests start with a ready coordinator.
  await waitUntil(`Kafka group coordinator on ${brokers[0]}`, proc, () => groupCoordinatorReady(brokers), o.startTimeoutMs);
  log(`Kafka ${KAFKA_VERSION} up on ${brokers[0]} in ${Date.now() - t0} ms`);
  return { brokers, options: o, stop: () => proc.stop(30_000) };
}

/** Stops the broker and starts it again on the same data dir and ports (chaos tests), after `downMs` if given. */
export async function restartKafka(broker: KafkaBroker, opts: { downMs?: number } = {}): Promise<KafkaBroker> {
  await broker.stop();
  if (opts.downMs) await new Promise((resolve) => setTimeout(resolve, opts.downMs));
  return startKafka(broker.options);
}

async function withProbeAdmin<T>(brokers: string[], fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Kafka({
    clientId: 'tally-infra-probe',
    brokers,
    logLevel: logLevel.NOTHING, // probes fail by design until the broker is up
    connectionTimeout: 1_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

const describeCluster = (brokers: string[]): Promise<boolean> =>
  withProbeAdmin(brokers, async (admin) => {
    const c = await admin.describeCluster();
    return c.brokers.length > 0 && c.controller !== null;
  });

const groupCoordinatorReady = (brokers: string[]): Promise<boolean> =>
  withProbeAdmin(brokers, async (admin) => {
    await admin.describeCluster(); // fills the client's broker pool, which findGroupCoordinator needs
    await admin.describeGroups(['tally-infra-warmup']); // FindCoordinator creates __consumer_offsets
    const meta = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] });
    const parts = meta.topics[0]?.partitions ?? [];
    return parts.length > 0 && parts.every((p) => p.partitionErrorCode === 0 && p.leader >= 0);
  });
