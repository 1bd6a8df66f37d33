import { resolve } from 'node:path';

/** Everything a process needs from its environment, read once at start. */
export interface TallyConfig {
  mode: 'embedded' | 'distributed';
  /** HTTP port (PORT or HTTP_PORT) */
  httpPort: number;
  httpHost: string;
  grpcPort: number;
  dataDir: string;
  kafkaBrokers: string[];
  mongoUrl: string | undefined;
  mongoDb: string;
  bodyLimitBytes: number;
  /** how long `?after=` waits before answering NOT_CAUGHT_UP */
  readYourWritesTimeoutMs: number;
  demo: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TallyConfig {
  const kafkaBrokers = (env.KAFKA_BROKERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return {
    mode: env.TALLY_MODE === 'distributed' ? 'distributed' : 'embedded',
    httpPort: intOf(env.HTTP_PORT ?? env.PORT, 8080),
    httpHost: env.HTTP_HOST ?? '0.0.0.0',
    grpcPort: intOf(env.GRPC_PORT, 9090),
    dataDir: resolve(env.TALLY_DATA_DIR ?? './.tally-data'),
    kafkaBrokers,
    mongoUrl: env.MONGO_URL || undefined,
    mongoDb: env.MONGO_DB ?? 'tally',
    bodyLimitBytes: intOf(env.TALLY_BODY_LIMIT_BYTES, 2 * 1024 * 1024),
    readYourWritesTimeoutMs: intOf(env.TALLY_AFTER_TIMEOUT_MS, 10_000),
    demo: env.TALLY_DEMO !== '0',
  };
}

function intOf(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected a non-negative integer, got "${value}"`);
  return n;
}
