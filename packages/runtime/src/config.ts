import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { choiceSetting, FLAG_SPELLINGS, intSetting } from './env-settings';

export { ConfigError } from './env-settings';

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
  /** TALLY_RELAY: 'on' (default) runs a relay in this process (the lease lets one publish at a time); 'off': none */
  relay: 'on' | 'off';
  /** TALLY_RELAY_LEASE_MS: the relay lease's ttl, at least 100 ms; unset: the mode's default (open-platform.ts) */
  relayLeaseMs?: number;
  /** this process, for per-instance consumer groups (cache invalidation) */
  instanceId: string;
  /** gRPC addresses of the services this process asks (distributed mode) */
  peers: { hierarchyRollup: string; indicator: string; ingestion: string; projection: string };
  /** Kafka topic and group prefix, so several deployments (or test runs) can share a broker */
  kafkaNamespace: string;
  /** how soon Kafka gives a dead consumer's partitions to another member (TALLY_KAFKA_SESSION_TIMEOUT_MS) */
  kafkaSessionTimeoutMs: number;
}

/** a shorter lease would be renewed (a store write) every few milliseconds */
const MIN_RELAY_LEASE_MS = 100;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TallyConfig {
  const kafkaBrokers = (env.KAFKA_BROKERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const int = (names: string | string[], fallback: number) => intSetting(env, names, fallback);
  const choice = <T extends string>(name: string, choices: readonly T[], fallback: T) => choiceSetting(env, name, choices, fallback);
  return {
    // unset: distributed when both KAFKA_BROKERS and MONGO_URL are given
    mode: choice('TALLY_MODE', ['embedded', 'distributed'], kafkaBrokers.length > 0 && !!env.MONGO_URL ? 'distributed' : 'embedded'),
    httpPort: int(['HTTP_PORT', 'PORT'], 8080),
    httpHost: env.HTTP_HOST ?? '0.0.0.0',
    httpAcceptors: Math.max(1, int('TALLY_HTTP_ACCEPTORS', 8)),
    sqliteCheckpoint: choice('TALLY_SQLITE_CHECKPOINT', ['background', 'inline'], 'background'),
    grpcPort: int('GRPC_PORT', 9090),
    dataDir: resolve(env.TALLY_DATA_DIR ?? './.tally-data'),
    kafkaBrokers,
    mongoUrl: env.MONGO_URL || undefined,
    mongoDb: env.MONGO_DB ?? 'tally',
    bodyLimitBytes: int('TALLY_BODY_LIMIT_BYTES', 2 * 1024 * 1024),
    importLimitBytes: int('TALLY_IMPORT_LIMIT_BYTES', 64 * 1024 * 1024),
    ...(env.TALLY_UPSTREAM_URL ? { upstreamUrl: env.TALLY_UPSTREAM_URL } : {}),
    ...(env.TALLY_UPSTREAM_TOKEN ? { upstreamToken: env.TALLY_UPSTREAM_TOKEN } : {}),
    syncUp: choice('TALLY_SYNC_UP', ['all', 'approved'], 'all'),
    syncIntervalMs: int('TALLY_SYNC_INTERVAL_MS', 5_000),
    readYourWritesTimeoutMs: int('TALLY_AFTER_TIMEOUT_MS', 10_000),
    demo: choiceSetting(env, 'TALLY_DEMO', ['1', '0'], '1', FLAG_SPELLINGS) === '1',
    // only 'on' or 'off': authentication is not switched off by a value that merely looks false
    auth: choice('TALLY_AUTH', ['on', 'off'], 'on'),
    relay: choice('TALLY_RELAY', ['on', 'off'], 'on'),
    ...(env.TALLY_RELAY_LEASE_MS ? { relayLeaseMs: intSetting(env, 'TALLY_RELAY_LEASE_MS', 0, MIN_RELAY_LEASE_MS) } : {}),
    instanceId: env.TALLY_INSTANCE_ID ?? `${hostname()}-${process.pid}`,
    peers: {
      hierarchyRollup: env.HIERARCHY_ROLLUP_GRPC ?? '127.0.0.1:9092',
      indicator: env.INDICATOR_GRPC ?? '127.0.0.1:9093',
      ingestion: env.INGESTION_GRPC ?? '127.0.0.1:9091',
      projection: env.PROJECTION_GRPC ?? '127.0.0.1:9094',
    },
    kafkaNamespace: env.TALLY_KAFKA_NAMESPACE ?? '',
    kafkaSessionTimeoutMs: int('TALLY_KAFKA_SESSION_TIMEOUT_MS', 10_000),
  };
}
