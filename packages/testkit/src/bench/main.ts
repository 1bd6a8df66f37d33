/**
 * `pnpm bench`: a national reporting day against a running platform, with a SQLite batch baseline.
 * Prints progress on stderr, a readable table, then the JSON summary as the last line of stdout.
 * Exits 1 when the final rollups differ from the generator's totals, 2 when the target cannot run here.
 */
import { parseFlags, UsageError } from './args';
import { DEFAULT_BENCH_OPTIONS, formatTable, runBench, type BenchOptions } from './run';
import { TargetUnavailable } from './target';

const USAGE = `usage: pnpm bench [--communes N] [--values K] [--map pre2025|2025] [--mode embedded|distributed]
                  [--concurrency C] [--window-sec S] [--poll-ms MS] [--seed N] [--no-baseline]
                  [--grpc-share F] [--grpc-batch B] [--grpc-streams S]
  --communes N     a seeded sample of N communes (default: every commune of the map)
  --values K       values per report (default 200; every fifth element is split by sex)
  --map            pre2025 (10,035 communes, period 2024S2) or 2025 (3,321 communes, period 2025S2)
  --mode           embedded (one all-in-one process) or distributed (six services on Kafka + MongoDB: KAFKA_BROKERS
                   and MONGO_URL, else a local Kafka broker and FerretDB are started, under .cache/)
  --concurrency C  requests in flight (default 24)
  --window-sec S   replay the deadline-day arrival schedule over S seconds (default 0: as fast as accepted)
  --poll-ms MS     how often the VN rollup is read to measure freshness (default 50)
  --grpc-share F   distributed: share of the reports sent over the gRPC SubmitStream, 0..1 (default 0.5)
  --grpc-batch B   distributed: reports per SubmitStream call (default 20)
  --grpc-streams S distributed: SubmitStream calls in flight (default 2)`;

async function main(): Promise<number> {
  let flags: Record<string, string | number | boolean>;
  try {
    flags = parseFlags(process.argv.slice(2), {
      communes: 'number',
      values: 'number',
      map: 'string',
      mode: 'string',
      concurrency: 'number',
      'window-sec': 'number',
      'poll-ms': 'number',
      seed: 'number',
      'no-baseline': 'boolean',
      'national-timeout-sec': 'number',
      'grpc-share': 'number',
      'grpc-batch': 'number',
      'grpc-streams': 'number',
      help: 'boolean',
    });
    if (flags.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (flags.map !== undefined && flags.map !== 'pre2025' && flags.map !== '2025') throw new UsageError(`--map must be pre2025 or 2025`);
    if (flags.mode !== undefined && flags.mode !== 'embedded' && flags.mode !== 'distributed') throw new UsageError(`--mode must be embedded or distributed`);
    if (flags['grpc-share'] !== undefined && (flags['grpc-share'] as number) > 1) throw new UsageError('--grpc-share is a share, 0..1');
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n${USAGE}\n`);
    return 2;
  }
  const options: BenchOptions = {
    ...DEFAULT_BENCH_OPTIONS,
    ...(flags.mode ? { mode: flags.mode as BenchOptions['mode'] } : {}),
    ...(flags.map ? { map: flags.map as BenchOptions['map'] } : {}),
    ...(flags.communes !== undefined ? { communes: Math.floor(flags.communes as number) } : {}),
    ...(flags.values !== undefined ? { valuesPerReport: Math.floor(flags.values as number) } : {}),
    ...(flags.concurrency !== undefined ? { concurrency: Math.max(1, Math.floor(flags.concurrency as number)) } : {}),
    ...(flags['window-sec'] !== undefined ? { windowSec: flags['window-sec'] as number } : {}),
    ...(flags['poll-ms'] !== undefined ? { pollMs: Math.max(5, flags['poll-ms'] as number) } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed as number } : {}),
    ...(flags['national-timeout-sec'] !== undefined ? { nationalTimeoutSec: flags['national-timeout-sec'] as number } : {}),
    ...(flags['grpc-share'] !== undefined ? { grpcShare: flags['grpc-share'] as number } : {}),
    ...(flags['grpc-batch'] !== undefined ? { grpcBatch: Math.max(1, Math.floor(flags['grpc-batch'] as number)) } : {}),
    ...(flags['grpc-streams'] !== undefined ? { grpcStreams: Math.max(1, Math.floor(flags['grpc-streams'] as number)) } : {}),
    baseline: !flags['no-baseline'],
    log: (line) => process.stderr.write(`[bench] ${line}\n`),
  };
  try {
    const summary = await runBench(options);
    process.stdout.write(`\n${formatTable(summary)}\n\n${JSON.stringify(summary)}\n`);
    return summary.correct ? 0 : 1;
  } catch (e) {
    if (e instanceof TargetUnavailable) {
      process.stderr.write(`[bench] cannot run ${options.mode} mode here: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
