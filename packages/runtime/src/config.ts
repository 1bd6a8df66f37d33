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
  /** TALLY_RELAY: 'on' (default) runs a relay in this process (the lease lets one publish at a time); 'off': none */
  relay: 'on' | 'off';
  /** this process, for per-instance consumer groups (cache invalidation) */
  instanceId: string;
  /** gRPC addresses of the services this process asks (distributed mode) */
  peers: { hierarchyRollup: string; indicator: string; ingestion: string; projection: string };
  /** Kafka topic and group prefix, so several deployments (or test runs) can share a broker */
  kafkaNamespace: string;
  /** how soon Kafka gives a dead consumer's partitions to another member (TALLY_KAFKA_SESSION_TIMEOUT_MS) */
  kafkaSessionTimeoutMs: number;
}

/**
 * A setting the process cannot understand stops it at start, naming the variable: a misspelt value must not quietly
 * become the default (`TALLY_SYNC_UP=approve` sending every version upstream, `TALLY_MODE=distribute` running on
 * local files).
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TallyConfig {
  const kafkaBrokers = (env.KAFKA_BROKERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const int = (names: string[], fallback: number) => intOf(env, names, fallback);
  return {
    // unset: distributed when both KAFKA_BROKERS and MONGO_URL are given
    mode: choiceOf(env, 'TALLY_MODE', ['embedded', 'distributed'], kafkaBrokers.length > 0 && !!env.MONGO_URL ? 'distributed' : 'embedded'),
    httpPort: int(['HTTP_PORT', 'PORT'], 8080),
    httpHost: env.HTTP_HOST ?? '0.0.0.0',
    httpAcceptors: Math.max(1, int(['TALLY_HTTP_ACCEPTORS'], 8)),
    sqliteCheckpoint: choiceOf(env, 'TALLY_SQLITE_CHECKPOINT', ['background', 'inline'], 'background'),
    grpcPort: int(['GRPC_PORT'], 9090),
    dataDir: resolve(env.TALLY_DATA_DIR ?? './.tally-data'),
    kafkaBrokers,
    mongoUrl: env.MONGO_URL || undefined,
    mongoDb: env.MONGO_DB ?? 'tally',
    bodyLimitBytes: int(['TALLY_BODY_LIMIT_BYTES'], 2 * 1024 * 1024),
    importLimitBytes: int(['TALLY_IMPORT_LIMIT_BYTES'], 64 * 1024 * 1024),
    ...(env.TALLY_UPSTREAM_URL ? { upstreamUrl: env.TALLY_UPSTREAM_URL } : {}),
    ...(env.TALLY_UPSTREAM_TOKEN ? { upstreamToken: env.TALLY_UPSTREAM_TOKEN } : {}),
    syncUp: choiceOf(env, 'TALLY_SYNC_UP', ['all', 'approved'], 'all'),
    syncIntervalMs: int(['TALLY_SYNC_INTERVAL_MS'], 5_000),
    readYourWritesTimeoutMs: int(['TALLY_AFTER_TIMEOUT_MS'], 10_000),
    demo: choiceOf(env, 'TALLY_DEMO', ['1', '0'], '1', FLAG_SPELLINGS) === '1',
    // only 'on' or 'off': authentication is not switched off by a value that merely looks false
    auth: choiceOf(env, 'TALLY_AUTH', ['on', 'off'], 'on'),
    relay: choiceOf(env, 'TALLY_RELAY', ['on', 'off'], 'on'),
    instanceId: env.TALLY_INSTANCE_ID ?? `${hostname()}-${process.pid}`,
    peers: {
      hierarchyRollup: env.HIERARCHY_ROLLUP_GRPC ?? '127.0.0.1:9092',
      indicator: env.INDICATOR_GRPC ?? '127.0.0.1:9093',
      ingestion: env.INGESTION_GRPC ?? '127.0.0.1:9091',
      projection: env.PROJECTION_GRPC ?? '127.0.0.1:9094',
    },
    kafkaNamespace: env.TALLY_KAFKA_NAMESPACE ?? '',
    kafkaSessionTimeoutMs: int(['TALLY_KAFKA_SESSION_TIMEOUT_MS'], 10_000),
  };
}

/** other spellings of a yes/no setting documented as 1/0 */
const FLAG_SPELLINGS: Record<string, '1' | '0'> = { true: '1', yes: '1', on: '1', false: '0', no: '0', off: '0' };

/** One of `choices` (case and surrounding blanks ignored); unset or empty: `fallback`; anything else: ConfigError. */
function choiceOf<T extends string>(env: NodeJS.ProcessEnv, name: string, choices: readonly T[], fallback: T, spellings: Record<string, T> = {}): T {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  const value = choices.find((c) => c === raw) ?? spellings[raw];
  if (value === undefined) throw new ConfigError(`${name} must be one of ${choices.join(', ')}; got "${env[name]}"`);
  return value;
}

/** The first of `names` that is set, as a non-negative integer; none set: `fallback`; not an integer: ConfigError. */
function intOf(env: NodeJS.ProcessEnv, names: string[], fallback: number): number {
  const name = names.find((n) => env[n] !== undefined && env[n] !== '');
  if (name === undefined) return fallback;
  const value = env[name]!;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) throw new ConfigError(`${name} must be a non-negative integer; got "${value}"`);
  return n;
}
