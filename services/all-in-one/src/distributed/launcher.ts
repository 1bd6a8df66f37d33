import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { startGateway } from './gateway';
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
  /** exact ports per service, overriding the bases */
  ports?: Partial<Record<ServiceName, { http: number; grpc: number }>>;
  env?: Record<string, string>;
  /** where each service's output goes; default: inherit */
  stdio?: 'inherit' | 'ignore' | 'pipe';
  /** restart a service that exits by itself (not through kill() or stop()), with backoff; default off */
  supervise?: boolean | SupervisionOptions;
  /** one line per supervision event; default: stderr */
  report?: (line: string) => void;
}

export interface DistributedDeployment {
  url: string;
  ports: Record<ServiceName, { http: number; grpc: number }>;
  processes: Map<ServiceName, ChildProcess>;
  /** stops a service (SIGKILL by default); the supervisor leaves it stopped until start() */
  kill(service: ServiceName, signal?: NodeJS.Signals): Promise<void>;
  start(service: ServiceName): Promise<void>;
  state(): Record<ServiceName, ServiceState>;
  /** the gateway, then every service at once (SIGTERM; SIGKILL after 15 s); resolves when all are gone */
  stop(): Promise<void>;
}

const MAIN = (service: ServiceName) => new URL(`../../../${service}/src/main.ts`, import.meta.url).pathname;

export async function startDistributed(options: DistributedOptions): Promise<DistributedDeployment> {
  const ports = Object.fromEntries(
    SERVICE_NAMES.map((s, i) => [s, options.ports?.[s] ?? { http: options.httpBasePort + i + 1, grpc: options.grpcBasePort + i + 1 }]),
  ) as Record<ServiceName, { http: number; grpc: number }>;
  const processes = new Map<ServiceName, ChildProcess>();
  const report = options.report ?? ((line: string) => void process.stderr.write(`[tally] ${line}\n`));
  const supervision = options.supervise === true ? {} : options.supervise || null;
  const states = Object.fromEntries(SERVICE_NAMES.map((s) => [s, { pid: null, status: 'down', restarts: 0 }])) as Record<ServiceName, ServiceState>;
  /** services the supervisor keeps running (cleared by kill(), set by start()) */
  const wanted = new Set<ServiceName>();
  const failures = new Map<ServiceName, number>();
  const readyAt = new Map<ServiceName, number>();
  const timers = new Map<ServiceName, NodeJS.Timeout>();
  let stopping = false;
  // every process must check tokens with the same key
  const tokenSecret = process.env.TALLY_TOKEN_SECRET ?? options.env?.TALLY_TOKEN_SECRET ?? randomBytes(32).toString('hex');
  const peers = {
    TALLY_TOKEN_SECRET: tokenSecret,
    HIERARCHY_ROLLUP_GRPC: `127.0.0.1:${ports['hierarchy-rollup'].grpc}`,
    INDICATOR_GRPC: `127.0.0.1:${ports.indicator.grpc}`,
    INGESTION_GRPC: `127.0.0.1:${ports.ingestion.grpc}`,
    PROJECTION_GRPC: `127.0.0.1:${ports.projection.grpc}`,
  };

  function spawnService(service: ServiceName): ChildProcess {
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
        HTTP_PORT: String(ports[service].http),
        HTTP_HOST: '127.0.0.1',
        GRPC_PORT: String(ports[service].grpc),
        TALLY_INSTANCE_ID: `${service}-${Date.now()}`,
      },
      stdio: ['ignore', options.stdio ?? 'inherit', options.stdio ?? 'inherit'],
      detached: true,
    });
    if (child.pid) watchdog(child.pid);
    processes.set(service, child);
    states[service] = { ...states[service], pid: child.pid ?? null, status: 'starting' };
    child.once('exit', (code, signal) => onExit(service, child, code, signal));
    return child;
  }

  function onExit(service: ServiceName, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (processes.get(service) !== child) return; // an older process of a service started again since
    states[service] = { ...states[service], pid: null, status: 'down' };
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
        states[service].restarts++;
        launch(service).then(
          () => report(`${service} is back (pid ${processes.get(service)?.pid}, restart ${states[service].restarts})`),
          // it exited while starting (onExit schedules the next attempt) or hung (killed: same)
          (err: unknown) => report(`${service} did not come back: ${err instanceof Error ? err.message : String(err)}`),
        );
      }, delay),
    );
  }

  async function launch(service: ServiceName): Promise<void> {
    const child = spawnService(service);
    try {
      await waitForReady(`http://127.0.0.1:${ports[service].http}/health/ready`, child, service);
    } catch (err) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      throw err;
    }
    readyAt.set(service, Date.now());
    states[service] = { ...states[service], status: 'up' };
  }

  async function start(service: ServiceName): Promise<void> {
    wanted.add(service);
    clearTimeout(timers.get(service));
    timers.delete(service);
    await launch(service);
  }

  async function kill(service: ServiceName, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
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
    // the catalog and hierarchy owners first: the others ask them at start
    for (const service of SERVICE_NAMES) await start(service);
  } catch (err) {
    stopping = true;
    await Promise.all(SERVICE_NAMES.map((s) => kill(s)));
    throw err;
  }
  const gateway: Server = await startGateway(
    options.gatewayPort,
    Object.fromEntries(SERVICE_NAMES.map((s) => [s, ports[s].http])) as Record<ServiceName, number>,
    options.gatewayHost,
    () => states,
  );

  return {
    url: `http://${!options.gatewayHost || options.gatewayHost === '0.0.0.0' || options.gatewayHost === '::' ? '127.0.0.1' : options.gatewayHost}:${options.gatewayPort}`,
    ports,
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
      await Promise.all(SERVICE_NAMES.map((s) => kill(s, 'SIGTERM')));
    },
  };
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
