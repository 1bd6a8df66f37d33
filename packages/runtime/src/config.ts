import { hostname } from 'node:os';
import { resolve } from 'node:path';

/** Everything a process needs from its environment, read once at start. */
export interface TallyConfig {
  mode: 'embedded' | 'distributed';
  /** HTTP port (PORT or HTTP_PORT) */
  httpPort: number;
  httpHost: string;
  /**
   * listening sockets on the HTTP port where Node and the system have reusePort (TALLY_HTTP_ACCEPTORS, default 8; 1:
   * one socket): see http/listen-with-acceptors.ts
   */
  httpAcceptors: number;
  /**
   * embedded mode: who copies each SQLite file's write-ahead log back into the file (TALLY_SQLITE_CHECKPOINT):
   * `background` (default), a worker thread per file; `inline`, SQLite's own, in the commit that fills the log
   * (packages/sqlite/src/background-checkpoint.ts)
   */
  sqliteCheckpoint: 'background' | 'inline';
  grpcPort: number;
  dataDir: string;
  kafkaBrokers: string[];
  mongoUrl: string | undefined;
  mongoDb: string;
  bodyLimitBytes: number;
  /** file imports (XLSX forms, dataValueSets): larger uploads get 413 PAYLOAD_TOO_LARGE (TALLY_IMPORT_LIMIT_BYTES) */
  importLimitBytes: number;
  /** federation: the upstream deployment's base URL and a token of its `sync` account (TALLY_UPSTREAM_URL, TALLY_UPSTREAM_TOKEN) */
  upstreamUrl?: string;
  upstreamToken?: string;
  /** which local report events flow upstream: every version, or a report's history once approved (TALLY_SYNC_UP) */
  syncUp: 'all' | 'approved';
  /** how often the link syncs (TALLY_SYNC_INTERVAL_MS; 0: only when asked) */
  syncIntervalMs: number;
  /** how long `?after=` waits before answering NOT_CAUGHT_UP */
  readYourWritesTimeoutMs: number;
  demo: boolean;
  /** TALLY_AUTH: 'on' (default) requires a token on every non-public route; 'off' only for tests and local tools */
  auth: 'on' | 'off';
  /** this process, for per-instance consumer groups (cache invalidation) */
  instanceId: string;
  /** gRPC addresses of the services this process asks (distributed mode) */
  peers: { hierarchyRollup: string; indicator: string; ingestion: string; projection: string };
  /** Kafka topic and group prefix, so several deployments (or test runs) can share a broker */
  kafkaNamespace: string;
  /** how soon Kafka gives a dead consumer's partitions to another member (TALLY_KAFKA_SESSION_TIMEOUT_MS) */
  kafkaSessionTimeoutMs: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TallyConfig {
  const kafkaBrokers = (env.KAFKA_BROKERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return {
    mode: env.TALLY_MODE === 'distributed' || (kafkaBrokers.length > 0 && !!env.MONGO_URL) ? 'distributed' : 'embedded',
    httpPort: intOf(env.HTTP_PORT ?? env.PORT, 8080),
    httpHost: env.HTTP_HOST ?? '0.0.0.0',
    httpAcceptors: Math.max(1, intOf(env.TALLY_HTTP_ACCEPTORS, 8)),
    sqliteCheckpoint: env.TALLY_SQLITE_CHECKPOINT === 'inline' ? 'inline' : 'background',
    grpcPort: intOf(env.GRPC_PORT, 9090),
    dataDir: resolve(env.TALLY_DATA_DIR ?? './.tally-data'),
    kafkaBrokers,
    mongoUrl: env.MONGO_URL || undefined,
    mongoDb: env.MONGO_DB ?? 'tally',
    bodyLimitBytes: intOf(env.TALLY_BODY_LIMIT_BYTES, 2 * 1024 * 1024),
    importLimitBytes: intOf(env.TALLY_IMPORT_LIMIT_BYTES, 64 * 1024 * 1024),
    ...(env.TALLY_UPSTREAM_URL ? { upstreamUrl: env.TALLY_UPSTREAM_URL } : {}),
    ...(env.TALLY_UPSTREAM_TOKEN ? { upstreamToken: env.TALLY_UPSTREAM_TOKEN } : {}),
    syncUp: env.TALLY_SYNC_UP === 'approved' ? 'approved' : 'all',
    syncIntervalMs: intOf(env.TALLY_SYNC_INTERVAL_MS, 5_000),
    readYourWritesTimeoutMs: intOf(env.TALLY_AFTER_TIMEOUT_MS, 10_000),
    demo: env.TALLY_DEMO !== '0',
    auth: env.TALLY_AUTH === 'off' ? 'off' : 'on',
    instanceId: env.TALLY_INSTANCE_ID ?? `${hostname()}-${process.pid}`,
    peers: {
      hierarchyRollup: env.HIERARCHY_ROLLUP_GRPC ?? '127.0.0.1:9092',
      indicator: env.INDICATOR_GRPC ?? '127.0.0.1:9093',
      ingestion: env.INGESTION_GRPC ?? '127.0.0.1:9091',
      projection: env.PROJECTION_GRPC ?? '127.0.0.1:9094',
    },
    kafkaNamespace: env.TALLY_KAFKA_NAMESPACE ?? '',
    kafkaSessionTimeoutMs: intOf(env.TALLY_KAFKA_SESSION_TIMEOUT_MS, 10_000),
  };
}

function intOf(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected a non-negative integer, got "${value}"`);
  return n;
}
