import * as grpc from '@grpc/grpc-js';
import { MongoClient } from 'mongodb';
import { IngestionServiceClient, promisifyClientStream, type tallyv1 } from '@tally/contracts';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DistributedDeployment, DistributedOptions } from '../../../../services/all-in-one/src/distributed/launcher';
import type { ServiceName } from '../../../../services/all-in-one/src/distributed/routes';
import { acquireInfrastructure, ferretDbSynchronous, freePortBlock, startKafka, type Infrastructure, type KafkaBroker } from '../infra/index';
import { cacheDir, sleep } from '../infra/process';
import { reportBody, type Op, type Workload } from '../workload';
import { HttpClient, loginIfNeeded } from './http';
import { platformRoot, TargetUnavailable, type Target } from './target';

/** The six services of distributed mode, in the launcher's start order. */
export const SERVICES: readonly ServiceName[] = ['indicator', 'hierarchy-rollup', 'ingestion', 'projection', 'notification', 'open-data'];
export type { ServiceName };

export interface InfraInfo {
  /** env: KAFKA_BROKERS and MONGO_URL were given; local/testcontainers: the harness started them */
  source: 'env' | 'local' | 'testcontainers' | 'mixed';
  /** seconds the harness spent starting Kafka and the MongoDB-compatible server (null: given by env) */
  startSec: number | null;
  kafkaBrokers: string[];
  /** the MongoDB URL without credentials */
  mongoUrl: string;
  /** FerretDB (not MongoDB) when the harness started it locally */
  mongoEngine: string;
  /** the harness owns the Kafka broker and can restart it (chaos) */
  kafkaRestartable: boolean;
  kafkaNamespace: string;
  mongoDb: string;
}

export interface DistributedTarget extends Target {
  mode: 'distributed';
  infra: InfraInfo;
  /** host:port of the ingestion service's gRPC server (SubmitStream) */
  grpcAddress: string;
  /** seconds from launching the first service until the gateway answered */
  servicesStartSec: number;
  /** SIGKILLs one process (a service's first replica by its service name, another as `<service>#<n>`); resolves with its pid */
  killService(instance: string): Promise<number>;
  /** starts a process again (same ports, same Kafka namespace and database) and waits until it is ready */
  startService(instance: string): Promise<void>;
  /** every process: a service's first replica is named after it, replica n >= 2 `<service>#<n>` */
  instances(): Array<{ name: string; service: ServiceName; replica: number; http: number }>;
  /** how many processes of each service run (`--replicas SERVICE=N`; 1 when not given) */
  replicas: Partial<Record<ServiceName, number>>;
  /** stops the Kafka broker and starts it again on the same data and ports; only when the harness started it */
  restartKafka(): Promise<void>;
  /** the Kafka / FerretDB processes the harness started (sampled apart from the platform) */
  infraProcesses(): Array<{ name: string; pid: number }>;
  /**
   * the commands the MongoDB-compatible server has run since it started, per command name (`serverStatus`'s
   * `metrics.commands.<name>.total`: FerretDB and MongoDB both keep it); null when the server does not say
   */
  mongoCommands(): Promise<Record<string, number> | null>;
}

export interface DistributedStartOptions {
  /** start the Kafka broker in this process (not through acquireInfrastructure) so that it can be restarted */
  restartableKafka?: boolean;
  /** processes per service (default 1): replicas share the consumer groups' partitions */
  replicas?: Partial<Record<ServiceName, number>>;
  env?: Record<string, string>;
  log?: (line: string) => void;
}

type Launcher = (options: DistributedOptions) => Promise<DistributedDeployment>;

async function loadLauncher(): Promise<Launcher> {
  // from the checkout being measured (TALLY_BENCH_PLATFORM_ROOT), like the embedded target
  const url = pathToFileURL(join(platformRoot(), 'services/all-in-one/src/distributed/launcher.ts')).href;
  const mod = (await import(url)) as { startDistributed?: Launcher };
  if (!mod.startDistributed) throw new TargetUnavailable(`${url} has no startDistributed`);
  return mod.startDistributed;
}

/** A dead bench must not leave services running: a tiny watchdog kills the pid when we are gone. */
function watchdog(pid: number): void {
  const script = `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${pid} 2>/dev/null; do sleep 1; done; kill -0 ${process.pid} 2>/dev/null || kill -9 ${pid} 2>/dev/null`;
  spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
}

const alive = (c: ChildProcess | undefined): c is ChildProcess => !!c && c.exitCode === null && c.signalCode === null && !!c.pid;
const hideCredentials = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');

/** Kafka and MongoDB: from the environment, else started here (and stopped by `stop`). */
async function infrastructure(restartableKafka: boolean, log: (line: string) => void): Promise<{ info: Omit<InfraInfo, 'kafkaNamespace' | 'mongoDb'>; mongoUrl: string; broker: KafkaBroker | null; stop: () => Promise<void> }> {
  const envKafka = (process.env.KAFKA_BROKERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const envMongo = process.env.MONGO_URL?.trim() ?? '';
  if (envKafka.length > 0 && envMongo) {
    log(`using the infrastructure from the environment: KAFKA_BROKERS=${envKafka.join(',')} MONGO_URL=${hideCredentials(envMongo)}`);
    return {
      info: { source: 'env', startSec: null, kafkaBrokers: envKafka, mongoUrl: hideCredentials(envMongo), mongoEngine: 'given (MONGO_URL)', kafkaRestartable: false },
      mongoUrl: envMongo,
      broker: null,
      stop: async () => undefined,
    };
  }
  if (process.env.TALLY_BENCH_LOCAL_INFRA === '0') {
    throw new TargetUnavailable(`distributed mode needs KAFKA_BROKERS and MONGO_URL (Kafka and MongoDB), and TALLY_BENCH_LOCAL_INFRA=0 forbids starting a local Kafka and FerretDB`);
  }
  const t0 = performance.now();
  log(`KAFKA_BROKERS/MONGO_URL not set: starting local infrastructure (${[envKafka.length ? '' : 'Kafka', envMongo ? '' : 'MongoDB-compatible server'].filter(Boolean).join(' and ')}); first run downloads/builds it under .cache/`);
  let broker: KafkaBroker | null = null;
  let infra: Infrastructure;
  try {
    if (restartableKafka && envKafka.length === 0) {
      // own the broker, so that it can be restarted; the MongoDB side still comes from acquireInfrastructure
      broker = await startKafka({ dataDir: join(cacheDir(), 'infra-run', `${process.pid}-${Date.now()}-chaos`, 'kafka') });
      const saved = process.env.KAFKA_BROKERS;
      process.env.KAFKA_BROKERS = broker.brokers.join(',');
      try {
        infra = await acquireInfrastructure();
      } finally {
        if (saved === undefined) delete process.env.KAFKA_BROKERS;
        else process.env.KAFKA_BROKERS = saved;
      }
    } else {
      infra = await acquireInfrastructure();
    }
  } catch (e) {
    await broker?.stop();
    throw new TargetUnavailable(`could not start local Kafka/MongoDB (needs Java 17+ and Maven for Kafka, Go for FerretDB, or a container engine): ${e instanceof Error ? e.message : String(e)}`);
  }
  const startSec = (performance.now() - t0) / 1000;
  const source = broker ? (envMongo ? 'mixed' : infra.source === 'env' ? 'local' : infra.source) : infra.source;
  const mongoEngine = envMongo ? 'given (MONGO_URL)' : infra.source === 'local' ? `FerretDB (SQLite backend, synchronous=${ferretDbSynchronous()}), started locally` : `MongoDB (${infra.source})`;
  log(`infrastructure started in ${startSec.toFixed(1)} s (${source}): Kafka ${infra.kafkaBrokers.join(',')}, ${mongoEngine} at ${hideCredentials(infra.mongoUrl)}`);
  return {
    info: { source, startSec, kafkaBrokers: infra.kafkaBrokers, mongoUrl: hideCredentials(infra.mongoUrl), mongoEngine, kafkaRestartable: !!broker },
    mongoUrl: infra.mongoUrl,
    broker,
    stop: async () => {
      await infra.stop();
      await broker?.stop();
    },
  };
}

/**
 * Distributed mode: the six services as separate processes (services/all-in-one/src/distributed/launcher.ts)
 * on Kafka and MongoDB, behind one gateway port; a fresh Kafka namespace and database per run. Authentication
 * stays on: the bench signs in through the gateway as in embedded mode.
 */
export async function startDistributedTarget(options: DistributedStartOptions = {}): Promise<DistributedTarget> {
  const log = options.log ?? (() => undefined);
  const startDistributed = await loadLauncher();
  const infra = await infrastructure(options.restartableKafka ?? false, log);
  let broker = infra.broker;
  const run = `b${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const kafkaNamespace = `${run}.`;
  const mongoDb = `tally_bench_${run}`;
  const password = process.env.TALLY_ADMIN_PASSWORD ?? randomBytes(12).toString('hex');
  const tails = new Map<string, string>();
  const attach = (service: string, child: ChildProcess | undefined) => {
    if (!child?.pid || (child as ChildProcess & { __benchAttached?: boolean }).__benchAttached) return;
    (child as ChildProcess & { __benchAttached?: boolean }).__benchAttached = true;
    watchdog(child.pid);
    const keep = (d: Buffer) => {
      tails.set(service, ((tails.get(service) ?? '') + d.toString()).slice(-8_000));
      if (process.env.TALLY_BENCH_VERBOSE) process.stderr.write(`[${service}] ${d.toString()}`);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  };
  let deployment: DistributedDeployment;
  const replicas = options.replicas ?? {};
  const extra = Object.values(replicas).reduce((n, r) => n + Math.max(0, (r ?? 1) - 1), 0);
  // gateway, then HTTP ports (first replicas, then the others), then gRPC ports likewise
  const perKind = SERVICES.length + extra;
  const base = await freePortBlock(2 * perKind + 2);
  const s0 = performance.now();
  try {
    deployment = await startDistributed({
      kafkaBrokers: infra.info.kafkaBrokers,
      mongoUrl: infra.mongoUrl,
      mongoDb,
      kafkaNamespace,
      gatewayPort: base,
      httpBasePort: base,
      grpcBasePort: base + perKind + 1,
      replicas,
      // a session outlives a long run on a slow machine (the default 15 min expired mid-load on FerretDB at load 20)
      env: { LOG_LEVEL: process.env.TALLY_BENCH_LOG_LEVEL ?? 'warn', TALLY_DEMO: '0', TALLY_DEADLINE_CHECK_MS: '0', TALLY_ADMIN_PASSWORD: password, TALLY_TOKEN_TTL_SEC: '86400', ...options.env },
      stdio: 'pipe',
    });
  } catch (e) {
    await infra.stop();
    throw e;
  }
  for (const i of deployment.instances) attach(i.name, deployment.processes.get(i.name));
  const servicesStartSec = (performance.now() - s0) / 1000;
  const client = new HttpClient(deployment.url);
  try {
    await loginIfNeeded(client, password);
  } catch (e) {
    await deployment.stop();
    await infra.stop();
    throw e;
  }
  log(`${deployment.instances.length} processes (six services${extra > 0 ? `, ${Object.entries(replicas).filter(([, n]) => (n ?? 1) > 1).map(([s, n]) => `${s} x${n}`).join(', ')}` : ''}) up in ${servicesStartSec.toFixed(1)} s behind the gateway ${deployment.url} (Kafka namespace "${kafkaNamespace}", database ${mongoDb})`);
  const processes = () => deployment.instances.flatMap(({ name }) => {
    const c = deployment.processes.get(name);
    return alive(c) ? [{ name, pid: c.pid! }] : [];
  });
  const killService = async (service: string) => {
    const pid = deployment.processes.get(service)?.pid ?? -1;
    await deployment.kill(service, 'SIGKILL');
    return pid;
  };
  const startService = async (service: string) => {
    await deployment.start(service);
    attach(service, deployment.processes.get(service));
  };
  return {
    mode: 'distributed',
    baseUrl: deployment.url,
    client,
    infra: { ...infra.info, kafkaNamespace, mongoDb },
    grpcAddress: `127.0.0.1:${deployment.ports.ingestion.grpc}`,
    servicesStartSec,
    processes,
    instances: () => deployment.instances.map(({ name, service, replica, http }) => ({ name, service, replica, http })),
    replicas,
    kill(name) {
      const victim = processes().find((p) => p.name === name) ?? processes()[0];
      if (!victim) throw new Error('no service to kill');
      process.kill(victim.pid, 'SIGKILL');
      return victim.pid;
    },
    async restart() {
      for (const { name } of deployment.instances) if (!alive(deployment.processes.get(name))) await startService(name);
    },
    killService,
    startService,
    async restartKafka() {
      if (!broker) throw new Error('the Kafka broker was not started by the harness; it cannot be restarted');
      await broker.stop();
      broker = await startKafka(broker.options);
    },
    async mongoCommands() {
      const mongo = new MongoClient(infra.mongoUrl, { serverSelectionTimeoutMS: 10_000 });
      try {
        const status = await mongo.db('admin').command({ serverStatus: 1 });
        const commands = (status.metrics as { commands?: Record<string, { total?: unknown }> } | undefined)?.commands;
        if (!commands) return null;
        return Object.fromEntries(Object.entries(commands).flatMap(([name, c]) => (typeof c?.total === 'number' || typeof c?.total === 'bigint' ? [[name, Number(c.total)]] : [])));
      } catch {
        return null;
      } finally {
        await mongo.close();
      }
    },
    infraProcesses() {
      // Kafka (java) and FerretDB run as our children when the harness started them
      if (infra.info.source === 'env') return [];
      const out: Array<{ name: string; pid: number }> = [];
      for (const p of childrenOf(process.pid)) {
        if (p.cmd.includes('kafka.Kafka')) out.push({ name: 'kafka', pid: p.pid });
        else if (p.cmd.includes('ferretdb')) out.push({ name: 'ferretdb', pid: p.pid });
      }
      return out;
    },
    async stop() {
      client.close();
      const stopping = deployment.stop();
      const timeout = sleep(30_000).then(() => 'timeout' as const);
      if ((await Promise.race([stopping, timeout])) === 'timeout') {
        for (const p of processes()) process.kill(p.pid, 'SIGKILL');
      }
      await infra.stop();
      if (broker && broker !== infra.broker) await broker.stop();
      if (broker) rmSync(dirname(broker.options.dataDir), { recursive: true, force: true });
    },
    output: () => [...tails].map(([s, t]) => `--- ${s}\n${t.slice(-2_000)}`).join('\n'),
  };
}

/** Direct children of a pid, with their command lines (from /proc). */
function childrenOf(parent: number): Array<{ pid: number; cmd: string }> {
  const out: Array<{ pid: number; cmd: string }> = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parent) continue;
      out.push({ pid, cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ') });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** One answer of the gRPC stream for one op. */
export interface StreamResult {
  ok: boolean;
  position: number;
  version: number;
  code?: string;
  message?: string;
}

/** Sends a batch of ops over IngestionService.SubmitStream (one client stream per batch). */
export interface StreamSubmitter {
  submit(ops: readonly Op[]): Promise<StreamResult[]>;
  close(): void;
}

/**
 * The gRPC client-streaming submission: one SubmitStream call per batch, the reports in op order. `auth` gives
 * the headers of the signed-in account; its `authorization: Bearer` goes along as call metadata.
 */
export function grpcSubmitter(address: string, w: Workload, auth: () => Record<string, string> = () => ({})): StreamSubmitter {
  const client = new IngestionServiceClient(address, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
  });
  const stream = promisifyClientStream(client, client.submitStream);
  const reportOf = (op: Op): tallyv1.Report => {
    // the same content as the HTTP body (reportBody), as the proto message
    const body = JSON.parse(reportBody(w, op)) as { template: string; orgUnit: string; period: string; submissionId: string; reason?: string; values: Array<{ dataElement: string; optionCombo?: string; value: number }> };
    return {
      template: body.template,
      orgUnit: body.orgUnit,
      period: body.period,
      submissionId: body.submissionId,
      values: body.values.map((v) => ({ dataElement: v.dataElement, ...(v.optionCombo ? { optionCombo: v.optionCombo } : {}), value: { $case: 'number' as const, value: v.value } })),
      ...(body.reason ? { reason: body.reason } : {}),
    };
  };
  return {
    async submit(ops) {
      const metadata = new grpc.Metadata();
      const authorization = auth().authorization;
      if (authorization) metadata.set('authorization', authorization);
      const answer = await stream(
        ops.map((op) => ({ report: reportOf(op) })),
        { deadline: 120_000, metadata },
      );
      return ops.map((_, i) => {
        const r = answer.results.find((x) => x.index === i);
        if (!r) return { ok: false, position: 0, version: 0, code: 'INTERNAL', message: 'no result for this report' };
        return r.ok ? { ok: true, position: r.position, version: r.version } : { ok: false, position: 0, version: 0, code: r.error?.code ?? 'UNKNOWN', message: r.error?.message ?? '' };
      });
    },
    close: () => client.close(),
  };
}
