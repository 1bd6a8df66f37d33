import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { startGateway } from './gateway';
import { SERVICE_NAMES, type ServiceName } from './routes';

/**
 * Starts the six services as separate processes against Kafka and MongoDB, plus the gateway.
 * Ports: HTTP basePort+1.., gRPC grpcBasePort+1.. in SERVICE order. Used by `pnpm start:distributed`,
 * the multi-process tests, the benchmark and the chaos run.
 */
export interface DistributedOptions {
  kafkaBrokers: string[];
  mongoUrl: string;
  mongoDb?: string;
  kafkaNamespace?: string;
  gatewayPort: number;
  httpBasePort: number;
  grpcBasePort: number;
  env?: Record<string, string>;
  /** where each service's output goes; default: inherit */
  stdio?: 'inherit' | 'ignore' | 'pipe';
}

export interface DistributedDeployment {
  url: string;
  ports: Record<ServiceName, { http: number; grpc: number }>;
  processes: Map<ServiceName, ChildProcess>;
  kill(service: ServiceName, signal?: NodeJS.Signals): Promise<void>;
  start(service: ServiceName): Promise<void>;
  stop(): Promise<void>;
}

const MAIN = (service: ServiceName) => new URL(`../../../${service}/src/main.ts`, import.meta.url).pathname;

export async function startDistributed(options: DistributedOptions): Promise<DistributedDeployment> {
  const ports = Object.fromEntries(
    SERVICE_NAMES.map((s, i) => [s, { http: options.httpBasePort + i + 1, grpc: options.grpcBasePort + i + 1 }]),
  ) as Record<ServiceName, { http: number; grpc: number }>;
  const processes = new Map<ServiceName, ChildProcess>();
  // every process must check tokens with the same key
  const tokenSecret = process.env.TALLY_TOKEN_SECRET ?? options.env?.TALLY_TOKEN_SECRET ?? randomBytes(32).toString('hex');
  const peers = {
    TALLY_TOKEN_SECRET: tokenSecret,
    HIERARCHY_ROLLUP_GRPC: `127.0.0.1:${ports['hierarchy-rollup'].grpc}`,
    INDICATOR_GRPC: `127.0.0.1:${ports.indicator.grpc}`,
    INGESTION_GRPC: `127.0.0.1:${ports.ingestion.grpc}`,
    PROJECTION_GRPC: `127.0.0.1:${ports.projection.grpc}`,
  };

  async function start(service: ServiceName): Promise<void> {
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
    });
    processes.set(service, child);
    await waitForReady(`http://127.0.0.1:${ports[service].http}/health/ready`, child, service);
  }

  // the catalog and hierarchy owners first: the others ask them at start
  for (const service of SERVICE_NAMES) await start(service);
  const gateway: Server = await startGateway(options.gatewayPort, Object.fromEntries(SERVICE_NAMES.map((s) => [s, ports[s].http])) as Record<ServiceName, number>);

  async function kill(service: ServiceName, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = processes.get(service);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }

  return {
    url: `http://127.0.0.1:${options.gatewayPort}`,
    ports,
    processes,
    kill,
    start,
    async stop() {
      await new Promise((r) => gateway.close(r));
      for (const service of [...SERVICE_NAMES].reverse()) await kill(service, 'SIGTERM');
    },
  };
}

async function waitForReady(url: string, child: ChildProcess, service: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${service} exited with code ${child.exitCode} while starting`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${service} was not ready within ${timeoutMs} ms`);
}
