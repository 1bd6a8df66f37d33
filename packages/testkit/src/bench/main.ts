/**
 * `pnpm bench`: a national reporting day against a running platform, with a SQLite batch baseline.
 * Prints progress on stderr, a readable table, then the JSON summary as the last line of stdout.
 * Exits 1 when the final rollups differ from the generator's totals, 2 when the target cannot run here.
 */
import { UsageError } from './args';
import { replicasFlag, runCli, wholeFlag } from './cli';
import { DEFAULT_BENCH_OPTIONS, formatTable, runBench, type BenchOptions } from './run';
import { SUBMITTER_MODES, type SubmitterMode } from './submitters';

const USAGE = `usage: pnpm bench [--communes N] [--values K] [--map pre2025|2025] [--mode embedded|distributed]
                  [--concurrency C] [--window-sec S] [--poll-ms MS] [--seed N] [--no-baseline]
                  [--grpc-share F] [--grpc-batch B] [--grpc-streams S] [--replicas SERVICE=N[,SERVICE=N]]
                  [--submitters province|single]
  --communes N     a seeded sample of N communes (default: every commune of the map)
  --values K       values per report (default 200; every fifth element is split by sex)
  --map            pre2025 (10,035 communes, period 2024S2) or 2025 (3,321 communes, period 2025S2)
  --mode           embedded (one all-in-one process) or distributed (six services on Kafka + MongoDB: KAFKA_BROKERS
                   and MONGO_URL, else a local Kafka broker and FerretDB are started, under .cache/)
  --concurrency C  requests in flight (default 24)
  --window-sec S   replay the deadline-day arrival schedule over S seconds (default 0: as fast as accepted)
  --poll-ms MS     how often the VN rollup is read to measure freshness (default 50)
  --submitters     province (default): each province's communes report through an account of that province;
                   single: every report through one national account (its rate limit, 100 requests/s by default,
                   then paces the load)
  --grpc-share F   distributed: share of the reports sent over the gRPC SubmitStream, 0..1 (default 0.5)
  --grpc-batch B   distributed: reports per SubmitStream call (default 20)
  --grpc-streams S distributed: SubmitStream calls in flight (default 2)
  --replicas S=N   distributed: N processes of service S sharing its consumer groups' partitions (e.g.
                   hierarchy-rollup=2,ingestion=2); the summary shows the events each replica applied, and a
                   replica that applied none of a group its siblings share makes the run incorrect`;

runCli<BenchOptions, Awaited<ReturnType<typeof runBench>>>({
  name: 'bench',
  usage: USAGE,
  flags: {
    communes: 'number',
    values: 'number',
    concurrency: 'number',
    'window-sec': 'number',
    'poll-ms': 'number',
    seed: 'number',
    'no-baseline': 'boolean',
    'national-timeout-sec': 'number',
    'grpc-share': 'number',
    'grpc-batch': 'number',
    'grpc-streams': 'number',
    replicas: 'string',
    submitters: 'string',
  },
  options: (flags, log) => {
    if (flags['grpc-share'] !== undefined && (flags['grpc-share'] as number) > 1) throw new UsageError('--grpc-share is a share, 0..1');
    if (flags.submitters !== undefined && !SUBMITTER_MODES.includes(flags.submitters as SubmitterMode)) throw new UsageError(`--submitters is one of ${SUBMITTER_MODES.join(', ')}`);
    const num = (name: string) => Number(flags[name]);
    return {
      ...DEFAULT_BENCH_OPTIONS,
      ...(flags.mode ? { mode: flags.mode as BenchOptions['mode'] } : {}),
      ...(flags.map ? { map: flags.map as BenchOptions['map'] } : {}),
      ...(flags.communes !== undefined ? { communes: wholeFlag(flags, 'communes') } : {}),
      ...(flags.values !== undefined ? { valuesPerReport: wholeFlag(flags, 'values') } : {}),
      ...(flags.concurrency !== undefined ? { concurrency: wholeFlag(flags, 'concurrency', 1) } : {}),
      ...(flags['window-sec'] !== undefined ? { windowSec: num('window-sec') } : {}),
      ...(flags['poll-ms'] !== undefined ? { pollMs: Math.max(5, num('poll-ms')) } : {}),
      ...(flags.seed !== undefined ? { seed: num('seed') } : {}),
      ...(flags['national-timeout-sec'] !== undefined ? { nationalTimeoutSec: num('national-timeout-sec') } : {}),
      ...(flags['grpc-share'] !== undefined ? { grpcShare: num('grpc-share') } : {}),
      ...(flags['grpc-batch'] !== undefined ? { grpcBatch: wholeFlag(flags, 'grpc-batch', 1) } : {}),
      ...(flags['grpc-streams'] !== undefined ? { grpcStreams: wholeFlag(flags, 'grpc-streams', 1) } : {}),
      ...(flags.replicas !== undefined ? { replicas: replicasFlag(flags) } : {}),
      ...(flags.submitters !== undefined ? { submitters: flags.submitters as SubmitterMode } : {}),
      baseline: !flags['no-baseline'],
      log,
    };
  },
  run: runBench,
  format: formatTable,
});
