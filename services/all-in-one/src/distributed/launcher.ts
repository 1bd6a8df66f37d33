import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { startGateway, type Upstream } from './gateway';
import { SERVICE_NAMES, type ServiceName } from './routes';
import { restartDelayMs, type ServiceState, type SupervisionOptions } from './supervision';

export type { ServiceState, SupervisionOptions } from './supervision';

/**
 * Starts the six services as separate processes against Kafka and MongoDB, plus the gateway.
 * Ports: HTTP basePort+1.., gRPC grpcBasePort+1.. in SERVICE order, unless `ports` places them. Used by
 * `pnpm start:distributed` (supervised), the multi-process tests, the benchmark and the chaos run.
 * Each service runs in its own process group, so a terminal's Ctrl-C reaches only the launcher, which
 * stops them in order; a watchdog kills them if the launcher itself dies without stopping them.
 */
export interface DistributedOptions {
  kafkaBrokers: string[];
  mongoUrl: string;
  mongoDb?: string;
  kafkaNamespace?: string;
  gatewayPort: number;
  /** the gateway's listen address; default 127.0.0.1 (`pnpm start:distributed` passes HTTP_HOST, 0.0.0.0) */
  gatewayHost?: string;
  httpBasePort: number;
  grpcBasePort: number;
  /** exact ports per service (or per replica, `<service>#<n>`), overriding the bases */
  ports?: Partial<Record<string, { http: number; grpc: number }>>;
  /**
   * processes per service (default 1): replicas share their consumer groups' partitions (Kafka assigns them),
   * the gateway sends HTTP requests to them in turn and the other services' gRPC clients fail over between them.
   * Replica n >= 2 is the instance `<service>#<n>`, on the ports after the highest first-replica ports.
   */
  replicas?: Partial<Record<ServiceName, number>>;
  env?: Record<string, string>;
  /** where each service's output goes; default: inherit */
  stdio?: 'inherit' | 'ignore' | 'pipe';
  /** restart a service that exits by itself (not through kill() or stop()), with backoff; default off */
  supervise?: boolean | SupervisionOptions;
  /** one line per supervision event; default: stderr */
  report?: (line: string) => void;
}

/** One process of the deployment: a service's replica. */
export interface Instance {
  /** the service's name for its first replica, `<service>#<n>` for replica n >= 2 */
  name: string;
  service: ServiceName;
  replica: number;
  http: number;
  grpc: number;
}

export interface DistributedDeployment {
  url: string;
  /** each service's first replica */
  ports: Record<ServiceName, { http: number; grpc: number }>;
  /** every process, first replicas first (in SERVICE order), then the other replicas */
  instances: Instance[];
  /** by instance name (a service's name is its first replica) */
  processes: Map<string, ChildProcess>;
  /** stops an instance (SIGKILL by default); the supervisor leaves it stopped until start() */
  kill(instance: string, signal?: NodeJS.Signals): Promise<void>;
  start(instance: string): Promise<void>;
  state(): Record<string, ServiceState>;
  /** the gateway, then every service at once (SIGTERM; SIGKILL after 15 s); resolves when all are gone */
  stop(): Promise<void>;
}

const MAIN = (service: ServiceName) => new URL(`../../../${service}/src/main.ts`, import.meta.url).pathname;

export async function startDistributed(options: DistributedOptions): Promise<DistributedDeployment> {
  const ports = Object.fromEntries(
    SERVICE_NAMES.map((s, i) => [s, options.ports?.[s] ?? { http: options.httpBasePort + i + 1, grpc: options.grpcBasePort + i + 1 }]),
  ) as Record<ServiceName, { http: number; grpc: number }>;
  const instances = instancesOf(ports, options);
  const byName = new Map(instances.map((i) => [i.name, i]));
  const instanceOf = (name: string): Instance => {
    const found = byName.get(name);
    if (!found) throw new Error(`no instance ${name} (instances: ${[...byName.keys()].join(', ')})`);
    return found;
  };
  const processes = new Map<string, ChildProcess>();
  const report = options.report ?? ((line: string) => void process.stderr.write(`[tally] ${line}\n`));
  const supervision = options.supervise === true ? {} : options.supervise || null;
  const states: Record<string, ServiceState> = Object.fromEntries(instances.map((i) => [i.name, { pid: null, status: 'down', restarts: 0 }]));
  /** instances the supervisor keeps running (cleared by kill(), set by start()) */
  const wanted = new Set<string>();
  const failures = new Map<string, number>();
  const readyAt = new Map<string, number>();
  const timers = new Map<string, NodeJS.Timeout>();
  let stopping = false;
  // every process must check tokens with the same key
  const tokenSecret = process.env.TALLY_TOKEN_SECRET ?? options.env?.TALLY_TOKEN_SECRET ?? randomBytes(32).toString('hex');
  // every replica of a peer: grpc-js's `ipv4:` target with several addresses (pick_first: the next when one is down)
  const grpcTarget = (service: ServiceName): string => {
    const addresses = instances.filter((i) => i.service === service).map((i) => `127.0.0.1:${i.grpc}`);
    return addresses.length === 1 ? addresses[0]! : `ipv4:${addresses.join(',')}`;
  };
  const peers = {
    TALLY_TOKEN_SECRET: tokenSecret,
    HIERARCHY_ROLLUP_GRPC: grpcTarget('hierarchy-rollup'),
    INDICATOR_GRPC: grpcTarget('indicator'),
    INGESTION_GRPC: grpcTarget('ingestion'),
    PROJECTION_GRPC: grpcTarget('projection'),
  };

  function spawnService(name: string): ChildProcess {
    const { service, http, grpc } = instanceOf(name);
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN(service)], {
      env: {
        ...process.env,
        ...options.env,
        ...peers,
        TALLY_MODE: 'distributed',
        KAFKA_BROKERS: options.kafkaBrokers.join(','),
        MONGO_URL: options.mongoUrl,
        MONGO_DB: options.mongoDb ?? 'tally',
        TALLY_KAFKA_NAMESPACE: options.kafkaNamespace ?? '',
        HTTP_PORT: String(http),
        HTTP_HOST: '127.0.0.1',
        GRPC_PORT: String(grpc),
        TALLY_INSTANCE_ID: `${name.replace('#', '-')}-${Date.now()}`,
      },
      stdio: ['ignore', options.stdio ?? 'inherit', options.stdio ?? 'inherit'],
      detached: true,
    });
    if (child.pid) watchdog(child.pid);
    processes.set(name, child);
    states[name] = { ...states[name]!, pid: child.pid ?? null, status: 'starting' };
    child.once('exit', (code, signal) => onExit(name, child, code, signal));
    return child;
  }

  function onExit(service: string, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (processes.get(service) !== child) return; // an older process of a service started again since
    states[service] = { ...states[service]!, pid: null, status: 'down' };
    if (stopping || !supervision || !wanted.has(service)) return;
    const upFor = Date.now() - (readyAt.get(service) ?? Date.now());
    // a service that ran a while before exiting starts over at the shortest delay
    const failed = upFor >= (supervision.stableAfterMs ?? 60_000) ? 0 : (failures.get(service) ?? 0);
    failures.set(service, failed + 1);
    const delay = restartDelayMs(failed, supervision);
    report(`${service} exited (${signal ? `signal ${signal}` : `code ${code}`}); restarting it in ${(delay / 1000).toFixed(1)} s`);
    timers.set(
      service,
      setTimeout(() => {
        timers.delete(service);
        if (stopping || !wanted.has(service)) return;
        states[service]!.restarts++;
        launch(service).then(
          () => report(`${service} is back (pid ${processes.get(service)?.pid}, restart ${states[service]!.restarts})`),
          // it exited while starting (onExit schedules the next attempt) or hung (killed: same)
          (err: unknown) => report(`${service} did not come back: ${err instanceof Error ? err.message : String(err)}`),
        );
      }, delay),
    );
  }

  async function launch(service: string): Promise<void> {
    const child = spawnService(service);
    try {
      await waitForReady(`http://127.0.0.1:${instanceOf(service).http}/health/ready`, child, service);
    } catch (err) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      throw err;
    }
    readyAt.set(service, Date.now());
    states[service] = { ...states[service]!, status: 'up' };
  }

  async function start(service: string): Promise<void> {
    wanted.add(service);
    clearTimeout(timers.get(service));
    timers.delete(service);
    await launch(service);
  }

  async function kill(service: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    wanted.delete(service);
    clearTimeout(timers.get(service));
    timers.delete(service);
    const child = processes.get(service);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    const force = signal === 'SIGKILL' ? undefined : setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(force);
  }

  try {
    // the catalog and hierarchy owners first: the others ask them at start; then the other replicas
    for (const instance of instances) await start(instance.name);
  } catch (err) {
    stopping = true;
    await Promise.all(instances.map((i) => kill(i.name)));
    throw err;
  }
  const gateway: Server = await startGateway(
    options.gatewayPort,
    Object.fromEntries(SERVICE_NAMES.map((s) => [s, instances.filter((i) => i.service === s).map((i): Upstream => ({ instance: i.name, port: i.http }))])) as Record<ServiceName, Upstream[]>,
    options.gatewayHost,
    () => states,
  );

  return {
    url: `http://${!options.gatewayHost || options.gatewayHost === '0.0.0.0' || options.gatewayHost === '::' ? '127.0.0.1' : options.gatewayHost}:${options.gatewayPort}`,
    ports,
    instances,
    processes,
    kill,
    start,
    state: () => structuredClone(states),
    async stop() {
      stopping = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      const closed = new Promise((r) => gateway.close(r));
      gateway.closeAllConnections();
      await closed;
      await Promise.all(instances.map((i) => kill(i.name, 'SIGTERM')));
    },
  };
}

/** Every process: each service's first replica on its ports, then replicas 2.. on the ports after the highest ones. */
function instancesOf(ports: Record<ServiceName, { http: number; grpc: number }>, options: DistributedOptions): Instance[] {
  const first = SERVICE_NAMES.map((s): Instance => ({ name: s, service: s, replica: 1, ...ports[s] }));
  let http = Math.max(...first.map((i) => i.http));
  let grpc = Math.max(...first.map((i) => i.grpc));
  const more: Instance[] = [];
  for (const service of SERVICE_NAMES) {
    const n = options.replicas?.[service] ?? 1;
    if (!Number.isInteger(n) || n < 1) throw new Error(`replicas of ${service} must be a whole number >= 1 (got ${n})`);
    for (let replica = 2; replica <= n; replica++) {
      const name = `${service}#${replica}`;
      const placed = options.ports?.[name];
      more.push({ name, service, replica, ...(placed ?? { http: ++http, grpc: ++grpc }) });
    }
  }
  return [...first, ...more];
}

async function waitForReady(url: string, child: ChildProcess, service: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${service} exited (${child.signalCode ?? `code ${child.exitCode}`}) while starting`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${service} was not ready within ${timeoutMs} ms`);
}

/** Kills `pid` if this process dies without stopping it (SIGKILL, crash): it is in its own process group. */
function watchdog(pid: number): void {
  const script = `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${pid} 2>/dev/null; do sleep 1; done; kill -0 ${process.pid} 2>/dev/null || kill -9 ${pid} 2>/dev/null`;
  spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
}
