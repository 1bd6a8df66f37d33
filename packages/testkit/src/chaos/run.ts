import { sleep } from '../infra/process';
import { runLoad, type LoadResult } from '../bench/load';
import { RollupPoller } from '../bench/observe';
import { waitForNational } from '../bench/run';
import { startEmbeddedTarget, TargetUnavailable, type Target } from '../bench/target';
import { verifyTotals, type Verification } from '../bench/verify';
import { expectedTotals, generateWorkload, seededRandom, type MapId, type Op, type Workload } from '../workload';

export interface ChaosOptions {
  mode: 'embedded' | 'distributed';
  map: MapId;
  communes: number;
  valuesPerReport: number;
  kills: number;
  seed: number;
  concurrency: number;
  /** the load is spread over this many seconds so that the kills land while it runs; default 5 s per kill */
  windowSec?: number;
  log?: (line: string) => void;
}

export const DEFAULT_CHAOS_OPTIONS: ChaosOptions = {
  mode: 'embedded',
  map: 'pre2025',
  communes: 300,
  valuesPerReport: 50,
  kills: 4,
  seed: 1719,
  concurrency: 16,
};

export interface KillRecord {
  n: number;
  /** seconds since the load started */
  atSec: number;
  process: string;
  pid: number;
  signal: 'SIGKILL';
  /** submissions acknowledged before the kill */
  ackedBefore: number;
  /** seconds until the restarted process answered again */
  downSec: number;
}

export interface ChaosSummary {
  mode: string;
  map: MapId;
  communes: number;
  valuesPerReport: number;
  submissions: number;
  acknowledged: number;
  reports: number;
  kills: KillRecord[];
  /** requests that failed (connection refused/reset, 5xx) and were sent again with the same submissionId */
  resent: number;
  loadSec: number;
  verification: Omit<Verification, 'correct'>;
  /** every acknowledged report counted exactly once: totals and completeness.received as expected */
  correct: boolean;
}

/**
 * Each report has exactly the versions acknowledged (1, or 2 when amended): a resent submission must not have
 * created a version of its own. Read from the report projection, which catches up on its own.
 */
async function verifyVersions(target: Target, w: Workload, acked: readonly Op[]): Promise<string[]> {
  const want = new Map<number, number>();
  for (const op of acked) want.set(op.report, Math.max(want.get(op.report) ?? 0, op.version + 1));
  const problems: string[] = [];
  for (const [report, version] of want) {
    const id = `report-${w.catalog.template}-${w.reports[report]}-${w.period}`;
    let got: unknown;
    for (let attempt = 0; attempt < 40; attempt++) {
      const r = await target.client.request('GET', `/api/v1/reports/${id}`).catch(() => undefined);
      got = r?.status === 200 ? (r.body as { version?: number }).version : r?.status;
      if (got === version) break;
      await sleep(250);
    }
    if (got !== version) problems.push(`${id}: expected version ${version}, got ${String(got)}`);
  }
  return problems;
}

/**
 * Kills the platform with SIGKILL at seeded random moments under load, restarts it each time, resends every
 * unacknowledged submission with the same submissionId, and then checks that every acknowledged report is
 * counted exactly once (VN and provinces' totals, and VN's completeness.received).
 */
export async function runChaos(opts: ChaosOptions): Promise<ChaosSummary> {
  const log = opts.log ?? (() => undefined);
  if (opts.mode === 'distributed') {
    const missing = ['KAFKA_BROKERS', 'MONGO_URL'].filter((k) => !process.env[k]);
    if (missing.length) throw new TargetUnavailable(`distributed chaos needs ${missing.join(' and ')} (Kafka and MongoDB)`);
    throw new TargetUnavailable('distributed chaos (kill a chosen service, restart the Kafka broker) is not implemented yet; run --mode embedded');
  }
  // a flatter arrival curve than the bench's deadline burst (half the reports in the last half of the window),
  // so that every kill lands while submissions are in flight
  const w = generateWorkload({ map: opts.map, communes: opts.communes, valuesPerReport: opts.valuesPerReport, seed: opts.seed, burstShare: 0.5, burstWindow: 0.5 });
  const windowSec = opts.windowSec ?? Math.max(6, opts.kills * 5);
  log(`workload: ${w.reports.length} reports x ${w.catalog.slots.length} values (${w.ops.length} submissions) over ${windowSec} s; ${opts.kills} kills`);
  const target: Target = await startEmbeddedTarget({ keepData: false });
  const random = seededRandom(opts.seed ^ 0x5eed);
  const kills: KillRecord[] = [];
  const ackedOps: Op[] = [];
  let load: LoadResult | undefined;
  let verification: Verification;
  try {
    await target.client.json('PUT', '/api/v1/catalog', w.catalog.json, target.client.adminHeaders);
    const signal = { stopped: false };
    const t0 = performance.now();
    const loadDone = runLoad(target.client, w, {
      concurrency: opts.concurrency,
      windowMs: windowSec * 1000,
      retryForever: true,
      onAck: (op) => ackedOps.push(op),
      signal,
    }).then((r) => (load = r));

    // kill k lands at a random moment inside the k-th slice of the window (at least 0.3 s after the last restart)
    for (let k = 0; k < opts.kills; k++) {
      const slice = (windowSec * 1000) / opts.kills;
      const due = t0 + k * slice + (0.15 + 0.7 * random()) * slice;
      const wait = Math.max(300, due - performance.now());
      await Promise.race([sleep(wait), loadDone]);
      if (load) log(`the load finished before kill ${k + 1}; killing during the drain`);
      const atSec = (performance.now() - t0) / 1000;
      const victim = target.processes()[0];
      const pid = target.kill();
      const ackedBefore = ackedOps.length;
      const down0 = performance.now();
      await target.restart();
      const record: KillRecord = { n: k + 1, atSec: Math.round(atSec * 100) / 100, process: victim?.name ?? 'all-in-one', pid, signal: 'SIGKILL', ackedBefore, downSec: Math.round((performance.now() - down0) / 10) / 100 };
      kills.push(record);
      log(`kill ${record.n}: SIGKILL ${record.process} (pid ${pid}) at ${record.atSec} s with ${ackedBefore} acknowledged; back after ${record.downSec} s`);
    }
    await loadDone;
    const lastPosition = Math.max(0, ...load!.results.map((r) => r?.position ?? 0));
    const expected = expectedTotals(w, ackedOps);
    const poller = new RollupPoller(target.client, w.period, w.catalog.template, 100).start();
    const reached = await waitForNational(poller, expected.reports, lastPosition, 180_000);
    poller.stop();
    if (reached === null) log('VN did not reflect every acknowledged report within 180 s');
    verification = await verifyTotals(target.client, w, expected, lastPosition);
    verification.mismatches.push(...(await verifyVersions(target, w, ackedOps)));
    verification.correct = verification.correct && verification.mismatches.length === 0;
  } finally {
    await target.stop();
  }
  const { correct, ...rest } = verification;
  const failures = load!.failures.map((f) => f.reason);
  return {
    mode: opts.mode,
    map: opts.map,
    communes: w.reports.length,
    valuesPerReport: w.catalog.slots.length,
    submissions: w.ops.length,
    acknowledged: ackedOps.length,
    reports: new Set(ackedOps.map((o) => o.report)).size,
    kills,
    resent: load!.retriedErrors,
    loadSec: Math.round((load!.endedAt - load!.startedAt) / 10) / 100,
    verification: { ...rest, mismatches: [...failures, ...rest.mismatches].slice(0, 20) },
    correct: correct && failures.length === 0 && ackedOps.length === w.ops.length && kills.length === opts.kills,
  };
}
