import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { startProgress } from '@tally/runtime';
import { sleep } from '../infra/process';
import { expectedTotals, generateWorkload, seededRandom, type MapId, type Workload } from '../workload';
import { runSqliteBaseline, type BaselineResult } from './baseline';
import { grpcSubmitter, startDistributedTarget, type DistributedTarget, type InfraInfo, type ServiceName } from './distributed';
import { runLoad, type GrpcLane, type LoadResult } from './load';
import { freshness, percentile, round } from './metrics';
import { cpuSec, HealthSampler, mainThreadCpuSec, RollupPoller, RssSampler, type LagSample } from './observe';
import { replicaFigures, type ReplicaFigures } from './replicas';
import { provinceSubmitters, type ProvinceSubmitters, type SubmitterMode } from './submitters';
import { platformRoot, startEmbeddedTarget, type Target } from './target';
import { verifyTotals, type Verification } from './verify';

export interface BenchOptions {
  mode: 'embedded' | 'distributed';
  map: MapId;
  /** undefined = every commune of the map */
  communes?: number;
  valuesPerReport: number;
  seed: number;
  concurrency: number;
  /** replay the arrival schedule over this many seconds; 0 = as fast as the platform takes it */
  windowSec: number;
  pollMs: number;
  /** how long to wait for VN to reflect everything after the load */
  nationalTimeoutSec: number;
  baseline: boolean;
  amendShare?: number;
  retryShare?: number;
  /** distributed mode: share of the reports sent over the gRPC SubmitStream (the rest over HTTP); default 0.5 */
  grpcShare: number;
  /** reports per SubmitStream call */
  grpcBatch: number;
  /** SubmitStream calls in flight */
  grpcStreams: number;
  /** distributed mode: processes per service (`--replicas SERVICE=N`), default 1 each */
  replicas?: Partial<Record<ServiceName, number>>;
  /** who sends the HTTP submissions: an account per province (default) or one national account (submitters.ts) */
  submitters: SubmitterMode;
  /** progress lines on stderr */
  log?: (line: string) => void;
}

export const DEFAULT_BENCH_OPTIONS: BenchOptions = {
  mode: 'embedded',
  map: 'pre2025',
  valuesPerReport: 200,
  seed: 1719,
  concurrency: 24,
  windowSec: 0,
  pollMs: 50,
  nationalTimeoutSec: 1800,
  baseline: true,
  grpcShare: 0.5,
  grpcBatch: 20,
  grpcStreams: 2,
  submitters: 'province',
};

export interface BenchSummary {
  mode: string;
  map: MapId;
  period: string;
  communes: number;
  valuesPerReport: number;
  /** distinct reports */
  reports: number;
  /** POSTs sent: first submissions + amendments + duplicate retries */
  submissions: number;
  amendments: number;
  duplicateRetries: number;
  /** values accepted (every non-duplicate submission's values) */
  values: number;
  concurrency: number;
  windowSec: number;
  loadSec: number;
  acceptedValuesPerSec: number;
  reportsPerSec: number;
  /** from the first submission until the VN rollup reflected every report */
  timeToNationalSec: number | null;
  /** from the last acknowledgement until the VN rollup reflected every report */
  drainAfterLastAckSec: number | null;
  freshnessMs: { p50: number; p95: number; p99: number; max: number; measured: number; unresolved: number; pollIntervalMs: number };
  /** retriedErrors: requests sent again (network error, 5xx, 401, 429); rateLimited: the 429s among them */
  apiLatencyMs: { p50: number; p95: number; p99: number; max: number; requests: number; retriedErrors: number; rateLimited: number };
  /** the accounts the HTTP submissions were sent from (one per province of the workload, or one: submitters.ts) */
  submitters: number;
  peakRssMb: number;
  peakRssMbByProcess: Record<string, number>;
  /** CPU time the platform processes used (user + system) from the first submission until VN reflected all */
  platformCpuSec: number;
  /** platform CPU per 1,000 accepted values: the cost, robust to other load on the machine */
  platformCpuMsPer1000Values: number;
  /**
   * of platformCpuSec, what the processes' main threads used (JavaScript and SQLite); the rest is their other
   * threads: V8's concurrent compilation and garbage collection, libuv's pool, the SQLite checkpoint workers
   */
  platformMainThreadCpuSec: number;
  consumerLag: { maxTotal: number; maxRollup: number; maxRelay: number; maxByGroup?: Record<string, number>; series: Array<[number, number, number, number]> };
  correct: boolean;
  verification: { unitsChecked: number; valuesChecked: number; received: number; mismatches: string[]; failures: string[] };
  baseline: (Omit<BaselineResult, 'bulkInsertSec' | 'batchRollupSec' | 'bulkInsertValuesPerSec'> & { bulkInsertSec: number; bulkInsertValuesPerSec: number; batchRollupSec: number }) | { engine: 'skipped'; bulkInsertValuesPerSec: null; batchRollupSec: null };
  ratios: { batchRollupOverFreshnessP50: number | null; batchRollupOverTimeToNational: number | null; ingestOverBulkInsert: number | null };
  machine: { nproc: number; cpu: string; memGb: number; node: string; loadAvgAtStart: number };
  /** what was measured: the checkout the platform ran from, and its commit when known */
  platform: { root: string; commit: string | null };
  /** how the submissions travelled: HTTP through the gateway, and (distributed) the gRPC SubmitStream */
  transport: {
    httpSubmissions: number;
    grpcSubmissions: number;
    grpcShare: number;
    grpcBatch: number;
    grpcStreams: number;
    /** SubmitStream calls that answered, their duration and size */
    grpcCalls: number;
    grpcCallMs: { p50: number; p99: number };
    grpcReportsPerCall: number;
  };
  /**
   * distributed mode with `--replicas`: the events each replica applied per consumer group (its /metrics), and
   * what is wrong (a replica that applied nothing of a group its siblings share makes the run incorrect)
   */
  replicas: { counts: Partial<Record<ServiceName, number>>; figures: ReplicaFigures; problems: string[] } | null;
  /**
   * distributed mode: the commands the MongoDB-compatible server ran from the first submission until VN reflected
   * everything (`serverStatus` metrics.commands, server-wide: the bench's own VN and health reads are in the reads),
   * per command, in all, and per acknowledged non-duplicate submission; writes = insert + update + delete
   */
  mongoOps: { byCommand: Record<string, number>; total: number; writes: number; perSubmission: number; writesPerSubmission: number } | null;
  /** distributed mode: where Kafka and MongoDB came from, how long they took to start; the infra processes' peak RSS */
  infra: (InfraInfo & { servicesStartSec: number; peakRssMbByProcess: Record<string, number>; cpuSec: number }) | null;
  seed: number;
  generatedSec: number;
}

const LOAD_AT_START = round(loadavg()[0] ?? 0, 2);

function platformCommit(): string | null {
  if (process.env.TALLY_BENCH_PLATFORM_COMMIT) return process.env.TALLY_BENCH_PLATFORM_COMMIT;
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: platformRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: platformRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${head}+uncommitted` : head;
  } catch {
    return null;
  }
}

/** user + system CPU seconds of the target's live processes */
function targetCpuSec(target: Target): number {
  return target.processes().reduce((sum, p) => sum + (cpuSec(p.pid) ?? 0), 0);
}

/** the same, of their main threads only */
function targetMainThreadCpuSec(target: Target): number {
  return target.processes().reduce((sum, p) => sum + (mainThreadCpuSec(p.pid) ?? 0), 0);
}

export async function startTarget(mode: BenchOptions['mode'], log: (line: string) => void = () => undefined, replicas?: Partial<Record<ServiceName, number>>): Promise<Target> {
  return mode === 'distributed' ? startDistributedTarget({ log, ...(replicas ? { replicas } : {}) }) : startEmbeddedTarget();
}

/** The gRPC lane of distributed mode: a seeded share of the reports (with their amendments and retries). */
export function grpcLaneFor(target: Target, w: Workload, opts: Pick<BenchOptions, 'grpcShare' | 'grpcBatch' | 'grpcStreams' | 'seed'>): GrpcLane | undefined {
  if (target.mode !== 'distributed' || opts.grpcShare <= 0) return undefined;
  const random = seededRandom(opts.seed ^ 0x67727063);
  const viaGrpc = w.reports.map(() => random() < opts.grpcShare);
  return {
    submitter: grpcSubmitter((target as DistributedTarget).grpcAddress, w, () => target.client.headers),
    useGrpc: (op) => viaGrpc[op.report]!,
    batchSize: opts.grpcBatch,
    streams: opts.grpcStreams,
  };
}

/** National totals reflect everything: every report received and the last acknowledged position applied. */
export async function waitForNational(poller: RollupPoller, reports: number, lastPosition: number, timeoutMs: number): Promise<number | null> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const hit = poller.samples.find((s) => s.received >= reports && s.position >= lastPosition);
    if (hit) return hit.t;
    if (performance.now() > deadline) return null;
    await sleep(20);
  }
}

export async function runBench(opts: BenchOptions): Promise<BenchSummary> {
  const log = opts.log ?? (() => undefined);
  const g0 = performance.now();
  const w = generateWorkload({
    map: opts.map,
    ...(opts.communes !== undefined ? { communes: opts.communes } : {}),
    valuesPerReport: opts.valuesPerReport,
    seed: opts.seed,
    ...(opts.amendShare !== undefined ? { amendShare: opts.amendShare } : {}),
    ...(opts.retryShare !== undefined ? { retryShare: opts.retryShare } : {}),
  });
  const expected = expectedTotals(w);
  const generatedSec = (performance.now() - g0) / 1000;
  log(`workload: ${w.reports.length} reports x ${w.catalog.slots.length} values on the ${opts.map} map (${w.period}), ${w.ops.length} submissions, generated in ${generatedSec.toFixed(1)} s`);

  const target = await startTarget(opts.mode, log, opts.replicas);
  log(`platform (${target.mode}) up at ${target.baseUrl}, pids ${target.processes().map((p) => p.pid).join(',')}`);
  let load: LoadResult;
  let verification: Verification;
  let nationalAt: number | null;
  let lags: LagSample[];
  let cpuLoadSec = 0;
  let mainCpuLoadSec = 0;
  let poller: RollupPoller;
  const rss = new RssSampler(() => target.processes()).start();
  const distributed = target.mode === 'distributed' ? (target as DistributedTarget) : null;
  const infraRss = new RssSampler(() => distributed?.infraProcesses() ?? []).start();
  const infraCpu = () => (distributed?.infraProcesses() ?? []).reduce((n, p) => n + (cpuSec(p.pid) ?? 0), 0);
  let infraCpuSec = 0;
  let replicas: BenchSummary['replicas'] = null;
  let mongoDelta: Record<string, number> | null = null;
  const lane = grpcLaneFor(target, w, opts);
  let submitters: ProvinceSubmitters = new Map();
  try {
    await target.client.json('PUT', '/api/v1/catalog', w.catalog.json, target.client.adminHeaders);
    if (opts.submitters === 'province') {
      submitters = await provinceSubmitters(target.client, [...new Set(w.provinceOf)]);
      if (submitters.size > 0) log(`submitting from ${submitters.size} accounts, one per province (each with its own rate limit)`);
    }
    poller = new RollupPoller(target.client, w.period, w.catalog.template, opts.pollMs);
    const origin = performance.now();
    const health = new HealthSampler(target.client, origin).start();
    poller.start();
    const mongo0 = await distributed?.mongoCommands();
    const cpu0 = targetCpuSec(target);
    const mainCpu0 = targetMainThreadCpuSec(target);
    const infraCpu0 = infraCpu();
    let acks = 0;
    // a bar on a terminal; a plain line every 10 s in a log
    const progress = startProgress('  acknowledged', w.ops.length, { lineEveryMs: 10_000 });
    if (lane) log(`sending ${Math.round(opts.grpcShare * 100)}% of the reports over gRPC SubmitStream (${opts.grpcBatch} per call, ${opts.grpcStreams} calls in flight), the rest over HTTP through the gateway`);
    load = await runLoad(target.client, w, { concurrency: opts.concurrency, windowMs: opts.windowSec * 1000, onAck: () => progress.update(++acks), headersFor: (op) => submitters.get(w.provinceOf[op.report]!), ...(lane ? { grpc: lane } : {}) });
    progress.finish();
    log(`load done in ${((load.endedAt - load.startedAt) / 1000).toFixed(1)} s (${load.failures.length} failures); waiting for VN to reflect every report`);
    for (const f of load.failures.slice(0, 20)) log(`  not acknowledged: ${f.reason}`);
    const lastPosition = Math.max(0, ...load.results.map((r) => r?.position ?? 0));
    // a report whose submission was never acknowledged cannot appear: wait for the acknowledged ones (the
    // verification then fails on the missing totals), not for the national timeout
    const loaded = load;
    const ackedReports = w.ops.filter((op) => op.kind === 'submit' && loaded.results[op.index]).length;
    const draining = setInterval(() => log(`  draining: VN received ${poller.samples.at(-1)?.received ?? 0}/${ackedReports}`), 30_000);
    nationalAt = await waitForNational(poller, ackedReports, lastPosition, opts.nationalTimeoutSec * 1000);
    clearInterval(draining);
    cpuLoadSec = targetCpuSec(target) - cpu0;
    mainCpuLoadSec = targetMainThreadCpuSec(target) - mainCpu0;
    infraCpuSec = infraCpu() - infraCpu0;
    const mongo1 = await distributed?.mongoCommands();
    if (mongo0 && mongo1) mongoDelta = Object.fromEntries(Object.entries(mongo1).map(([k, n]) => [k, n - (mongo0[k] ?? 0)]).filter(([, n]) => (n as number) > 0));
    await sleep(opts.pollMs * 2);
    poller.stop();
    health.stop();
    lags = health.samples;
    rss.stop();
    log(`verifying VN and ${w.provinces.length} provinces`);
    verification = await verifyTotals(target.client, w, expected, lastPosition);
    if (distributed && Object.values(distributed.replicas).some((n) => (n ?? 1) > 1)) {
      const { figures, problems } = await replicaFigures(distributed, Object.keys(target.client.opsHeaders).length > 0 ? target.client.opsHeaders : target.client.adminHeaders);
      replicas = { counts: distributed.replicas, figures, problems };
      for (const [name, f] of Object.entries(figures)) log(`  ${name}: ${f.applied ? Object.entries(f.applied).map(([g, n]) => `${g} ${n}`).join(', ') || 'no events' : 'no answer'}`);
    }
  } finally {
    rss.stop();
    infraRss.stop();
    lane?.submitter.close();
    await target.stop();
  }
  const infra = distributed
    ? {
        ...distributed.infra,
        startSec: distributed.infra.startSec === null ? null : round(distributed.infra.startSec, 1),
        servicesStartSec: round(distributed.servicesStartSec, 1),
        peakRssMbByProcess: Object.fromEntries(Object.entries(infraRss.peakByProcess).map(([k, kb]) => [k, round(kb / 1024, 1)])),
        cpuSec: round(infraCpuSec, 2),
      }
    : null;

  let baseline: BaselineResult | undefined;
  if (opts.baseline) {
    log('baseline: bulk insert + batch GROUP BY in SQLite');
    baseline = runSqliteBaseline(w, expected);
  }
  return summarize(opts, w, expected.reports, load, poller, nationalAt, lags, rss, verification, baseline, generatedSec, target.mode, { all: cpuLoadSec, mainThreads: mainCpuLoadSec }, infra, replicas, mongoDelta, Math.max(1, submitters.size));
}

function summarize(
  opts: BenchOptions,
  w: Workload,
  reports: number,
  load: LoadResult,
  poller: RollupPoller,
  nationalAt: number | null,
  lags: LagSample[],
  rss: RssSampler,
  v: Verification,
  baseline: BaselineResult | undefined,
  generatedSec: number,
  mode: string,
  cpu: { all: number; mainThreads: number },
  infra: BenchSummary['infra'] = null,
  replicas: BenchSummary['replicas'] = null,
  mongoDelta: Record<string, number> | null = null,
  submitters = 1,
): BenchSummary {
  const loadSec = (load.endedAt - load.startedAt) / 1000;
  const acked = w.ops.filter((op) => load.results[op.index] && !load.results[op.index]!.duplicate);
  const values = acked.length * w.catalog.slots.length;
  const lastAck = Math.max(...load.results.map((r) => r?.ackAt ?? 0));
  const f = freshness(w.ops, load.results, poller.samples);
  const step = Math.max(1, Math.ceil(lags.length / 60));
  const failures = load.failures.map((x) => x.reason).slice(0, 10);
  const correct = v.correct && load.failures.length === 0 && nationalAt !== null && f.unresolved === 0 && (baseline?.correct ?? true) && (replicas?.problems.length ?? 0) === 0;
  const p50 = round(percentile(f.values, 50));
  return {
    mode,
    map: opts.map,
    period: w.period,
    communes: w.reports.length,
    valuesPerReport: w.catalog.slots.length,
    reports,
    submissions: w.ops.length,
    amendments: w.ops.filter((o) => o.kind === 'amend').length,
    duplicateRetries: w.ops.filter((o) => o.kind === 'retry').length,
    values,
    concurrency: opts.concurrency,
    windowSec: opts.windowSec,
    loadSec: round(loadSec, 2),
    acceptedValuesPerSec: Math.round(values / loadSec),
    reportsPerSec: round(acked.length / loadSec, 1),
    timeToNationalSec: nationalAt === null ? null : round((nationalAt - load.startedAt) / 1000, 2),
    drainAfterLastAckSec: nationalAt === null ? null : round(Math.max(0, nationalAt - lastAck) / 1000, 2),
    freshnessMs: {
      p50,
      p95: round(percentile(f.values, 95)),
      p99: round(percentile(f.values, 99)),
      max: round(percentile(f.values, 100)),
      measured: f.values.length,
      unresolved: f.unresolved,
      pollIntervalMs: opts.pollMs,
    },
    apiLatencyMs: {
      p50: round(percentile(load.latencies, 50)),
      p95: round(percentile(load.latencies, 95)),
      p99: round(percentile(load.latencies, 99)),
      max: round(percentile(load.latencies, 100)),
      requests: load.latencies.length,
      retriedErrors: load.retriedErrors,
      rateLimited: load.rateLimited,
    },
    submitters,
    peakRssMb: round(rss.peakTotalKb / 1024, 1),
    platformCpuSec: round(cpu.all, 2),
    platformCpuMsPer1000Values: round((cpu.all * 1e6) / Math.max(1, values), 1),
    platformMainThreadCpuSec: round(cpu.mainThreads, 2),
    peakRssMbByProcess: Object.fromEntries(Object.entries(rss.peakByProcess).map(([k, kb]) => [k, round(kb / 1024, 1)])),
    consumerLag: {
      maxTotal: Math.max(0, ...lags.map((l) => l.totalLag)),
      maxRollup: Math.max(0, ...lags.map((l) => l.rollupLag)),
      maxRelay: Math.max(0, ...lags.map((l) => l.relayLag)),
      maxByGroup: lags.reduce<Record<string, number>>((max, l) => {
        for (const [g, lag] of Object.entries(l.byGroup ?? {})) max[g] = Math.max(max[g] ?? 0, lag);
        return max;
      }, {}),
      series: lags.filter((_, i) => i % step === 0).map((l) => [l.t, l.totalLag, l.rollupLag, l.relayLag]),
    },
    correct,
    verification: { unitsChecked: v.unitsChecked, valuesChecked: v.valuesChecked, received: v.received, mismatches: v.mismatches.slice(0, 10), failures: [...failures, ...(replicas?.problems ?? [])] },
    baseline: baseline
      ? {
          ...baseline,
          bulkInsertSec: round(baseline.bulkInsertSec, 3),
          bulkInsertValuesPerSec: Math.round(baseline.bulkInsertValuesPerSec),
          batchRollupSec: round(baseline.batchRollupSec, 3),
        }
      : { engine: 'skipped', bulkInsertValuesPerSec: null, batchRollupSec: null },
    ratios: {
      batchRollupOverFreshnessP50: baseline && p50 > 0 ? round((baseline.batchRollupSec * 1000) / p50, 2) : null,
      batchRollupOverTimeToNational: baseline && nationalAt !== null ? round(baseline.batchRollupSec / ((nationalAt - load.startedAt) / 1000), 3) : null,
      ingestOverBulkInsert: baseline ? round(values / loadSec / baseline.bulkInsertValuesPerSec, 4) : null,
    },
    machine: { nproc: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memGb: round(totalmem() / 2 ** 30, 1), node: process.version, loadAvgAtStart: LOAD_AT_START },
    platform: { root: platformRoot(), commit: platformCommit() },
    transport: {
      httpSubmissions: load.httpOps,
      grpcSubmissions: load.grpcOps,
      grpcShare: load.grpcOps > 0 ? opts.grpcShare : 0,
      grpcBatch: opts.grpcBatch,
      grpcStreams: opts.grpcStreams,
      grpcCalls: load.grpcBatchLatencies.length,
      grpcCallMs: { p50: round(percentile(load.grpcBatchLatencies, 50)), p99: round(percentile(load.grpcBatchLatencies, 99)) },
      grpcReportsPerCall: round(load.grpcBatchSizes.reduce((a, b) => a + b, 0) / Math.max(1, load.grpcBatchSizes.length), 1),
    },
    infra,
    replicas,
    mongoOps: mongoDelta ? mongoOpsOf(mongoDelta, acked.length) : null,
    seed: opts.seed,
    generatedSec: round(generatedSec, 2),
  };
}

function mongoOpsOf(byCommand: Record<string, number>, submissions: number): NonNullable<BenchSummary['mongoOps']> {
  const total = Object.values(byCommand).reduce((a, b) => a + b, 0);
  const writes = (byCommand.insert ?? 0) + (byCommand.update ?? 0) + (byCommand.delete ?? 0);
  return { byCommand, total, writes, perSubmission: round(total / Math.max(1, submissions), 1), writesPerSubmission: round(writes / Math.max(1, submissions), 1) };
}

/** The readable table printed before the JSON line. */
export function formatTable(s: BenchSummary): string {
  const rows: Array<[string, string]> = [
    ['mode / map / period', `${s.mode} / ${s.map} / ${s.period}`],
    ['communes x values', `${s.communes} x ${s.valuesPerReport}`],
    ['submissions', `${s.submissions} (${s.reports} reports, ${s.amendments} amendments, ${s.duplicateRetries} duplicate retries)`],
    ['values accepted', String(s.values)],
    ['concurrency / window', `${s.concurrency} in flight / ${s.windowSec ? `${s.windowSec} s schedule` : 'as fast as possible'}`],
    ['load duration', `${s.loadSec} s`],
    ['accepted values/s', String(s.acceptedValuesPerSec)],
    ['reports/s', String(s.reportsPerSec)],
    ['time to national', s.timeToNationalSec === null ? 'NOT REACHED' : `${s.timeToNationalSec} s (drain after last ack ${s.drainAfterLastAckSec} s)`],
    ['freshness p50/p95/p99', `${s.freshnessMs.p50} / ${s.freshnessMs.p95} / ${s.freshnessMs.p99} ms (max ${s.freshnessMs.max}, poll ${s.freshnessMs.pollIntervalMs} ms)`],
    ['API latency p50/p95/p99', `${s.apiLatencyMs.p50} / ${s.apiLatencyMs.p95} / ${s.apiLatencyMs.p99} ms (${s.apiLatencyMs.requests} HTTP requests)`],
    ['sent again', `${s.apiLatencyMs.retriedErrors} requests (${s.apiLatencyMs.rateLimited} rate-limited 429s); submitting accounts ${s.submitters}`],
    ...(s.transport.grpcSubmissions > 0
      ? [['gRPC SubmitStream', `${s.transport.grpcSubmissions} submissions in ${s.transport.grpcCalls} calls (${s.transport.grpcReportsPerCall} per call), call p50/p99 ${s.transport.grpcCallMs.p50} / ${s.transport.grpcCallMs.p99} ms; ${s.transport.httpSubmissions} over HTTP`] as [string, string]]
      : []),
    ['peak RSS', `${s.peakRssMb} MB (${Object.entries(s.peakRssMbByProcess).map(([k, v]) => `${k} ${v}`).join(', ')})`],
    ['platform CPU', `${s.platformCpuSec} s (${s.platformCpuMsPer1000Values} ms per 1,000 values; main threads ${s.platformMainThreadCpuSec} s, other threads ${round(s.platformCpuSec - s.platformMainThreadCpuSec, 2)} s)`],
    ...(s.infra
      ? [
          ['infrastructure', `${s.infra.source}: Kafka ${s.infra.kafkaBrokers.join(',')}, ${s.infra.mongoEngine}; started in ${s.infra.startSec === null ? '- (given)' : `${s.infra.startSec} s`}; services up in ${s.infra.servicesStartSec} s`] as [string, string],
          ['infrastructure RSS / CPU', `${Object.entries(s.infra.peakRssMbByProcess).map(([k, v]) => `${k} ${v} MB`).join(', ') || '- (not ours)'}; ${s.infra.cpuSec} CPU-s`] as [string, string],
        ]
      : []),
    ...(s.replicas
      ? Object.entries(s.replicas.figures).map(([name, f]): [string, string] => [
          `replica ${name}`,
          f.applied ? `applied ${Object.entries(f.applied).map(([g, n]) => `${g} ${n}`).join(', ') || 'no events'}` : 'no answer from /metrics',
        ])
      : []),
    ...(s.mongoOps
      ? [[
          'MongoDB commands',
          `${s.mongoOps.total} (${s.mongoOps.perSubmission} per submission; writes ${s.mongoOps.writes}, ${s.mongoOps.writesPerSubmission} per submission): ${Object.entries(s.mongoOps.byCommand).sort(([, a], [, b]) => b - a).map(([k, n]) => `${k} ${n}`).join(', ')}`,
        ] as [string, string]]
      : []),
    ['consumer lag max', `total ${s.consumerLag.maxTotal}, rollup ${s.consumerLag.maxRollup}, relay ${s.consumerLag.maxRelay} events`],
    ['lag over time (t s: rollup)', s.consumerLag.series.filter((_, i, a) => i % Math.max(1, Math.ceil(a.length / 12)) === 0).map(([t, , r]) => `${t}:${r}`).join(' ')],
    ['baseline engine', s.baseline.engine],
    ['baseline bulk insert', s.baseline.bulkInsertValuesPerSec === null ? '-' : `${s.baseline.bulkInsertValuesPerSec} values/s`],
    ['baseline batch rollup', s.baseline.batchRollupSec === null ? '-' : `${s.baseline.batchRollupSec} s (one GROUP BY over the closure)`],
    ['batch rollup / freshness p50', s.ratios.batchRollupOverFreshnessP50 === null ? '-' : `${s.ratios.batchRollupOverFreshnessP50}x`],
    ['our ingest / raw bulk insert', s.ratios.ingestOverBulkInsert === null ? '-' : `${s.ratios.ingestOverBulkInsert}`],
    ['platform measured', `${s.platform.commit ?? 'unknown commit'} (${s.platform.root}); load average at start ${s.machine.loadAvgAtStart} on ${s.machine.nproc} cores`],
    ['verification', `${s.verification.unitsChecked} units, ${s.verification.valuesChecked} totals, VN received ${s.verification.received}`],
    ['CORRECT', s.correct ? 'yes' : `NO: ${[...s.verification.failures, ...s.verification.mismatches].slice(0, 5).join('; ')}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
