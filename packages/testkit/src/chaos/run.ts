import { sleep } from '../infra/process';
import { runLoad, type LoadResult } from '../bench/load';
import { RollupPoller } from '../bench/observe';
import { grpcLaneFor, waitForNational } from '../bench/run';
import { startDistributedTarget, type DistributedTarget, type ServiceName } from '../bench/distributed';
import { replicaFigures, type ReplicaFigures } from '../bench/replicas';
import { startEmbeddedTarget, type Target } from '../bench/target';
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
  /** distributed: share of the reports sent over the gRPC SubmitStream (default 0.5), reports per call */
  grpcShare?: number;
  grpcBatch?: number;
  /** distributed: restart the Kafka broker once under load (only possible when the harness started it); default true */
  restartKafka?: boolean;
  /** distributed: stop resending this many seconds after the window (the unacknowledged rest fails the run); default 300 */
  loadTimeoutSec?: number;
  /** distributed: processes per service (`--replicas SERVICE=N`); replicas share their consumer groups' partitions */
  replicas?: Partial<Record<ServiceName, number>>;
  /**
   * distributed: the processes the kills choose from (`--victims`, instance names: `hierarchy-rollup` is a
   * service's first replica, `hierarchy-rollup#2` its second); default every process
   */
  victims?: string[];
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
  /** SIGKILL of a service; 'restart' of the Kafka broker (graceful stop, start on the same data and port) */
  signal: 'SIGKILL' | 'restart';
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
  /** distributed: the Kafka broker restart (in `kills` too), or why it was skipped */
  kafkaRestart: 'done' | 'not requested' | `skipped: ${string}` | null;
  /** distributed: where Kafka and MongoDB came from */
  infra: DistributedTarget['infra'] | null;
  /** distributed with `--replicas`: the events each replica applied per group (counted from its last start) */
  replicas: ReplicaFigures | null;
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
  if (opts.mode === 'distributed') return runDistributedChaos(opts);
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
    kafkaRestart: null,
    infra: null,
    replicas: null,
    resent: load!.retriedErrors,
    loadSec: Math.round((load!.endedAt - load!.startedAt) / 10) / 100,
    verification: { ...rest, mismatches: [...failures, ...rest.mismatches].slice(0, 20) },
    correct: correct && failures.length === 0 && ackedOps.length === w.ops.length && kills.length === opts.kills,
  };
}

/**
 * Distributed mode: the six services on Kafka + MongoDB. Under load (HTTP through the gateway, and a share over
 * the gRPC SubmitStream), SIGKILLs a seeded random service in each slice of the window and starts it again, and
 * restarts the Kafka broker once in a seeded slice (only when the harness started the broker itself); every
 * unacknowledged submission is resent with the same submissionId until acknowledged. Then the same checks as
 * embedded: totals, completeness.received and report versions.
 */
async function runDistributedChaos(opts: ChaosOptions): Promise<ChaosSummary> {
  const log = opts.log ?? (() => undefined);
  const w = generateWorkload({ map: opts.map, communes: opts.communes, valuesPerReport: opts.valuesPerReport, seed: opts.seed, burstShare: 0.5, burstWindow: 0.5 });
  const wantKafka = opts.restartKafka ?? true;
  const target = await startDistributedTarget({ restartableKafka: wantKafka, log, ...(opts.replicas ? { replicas: opts.replicas } : {}) });
  const instances = target.instances().map((i) => i.name);
  const victims = opts.victims ?? instances;
  const unknown = victims.filter((v) => !instances.includes(v));
  if (unknown.length > 0) {
    await target.stop();
    throw new Error(`--victims: no process ${unknown.join(', ')} (processes: ${instances.join(', ')})`);
  }
  let replicas: ReplicaFigures | null = null;
  let kafkaRestart: ChaosSummary['kafkaRestart'] = wantKafka ? null : 'not requested';
  if (wantKafka && !target.infra.kafkaRestartable) {
    kafkaRestart = 'skipped: the Kafka broker came from KAFKA_BROKERS, not from the harness, so it is not restarted';
    log(`Kafka restart ${kafkaRestart}`);
  }
  const events = opts.kills + (kafkaRestart === null ? 1 : 0);
  const windowSec = opts.windowSec ?? Math.max(6, events * 5);
  log(`workload: ${w.reports.length} reports x ${w.catalog.slots.length} values (${w.ops.length} submissions) over ${windowSec} s; ${opts.kills} service kills${kafkaRestart === null ? ' + 1 Kafka restart' : ''}`);
  const random = seededRandom(opts.seed ^ 0x5eed);
  const kafkaSlot = kafkaRestart === null ? Math.floor(random() * events) : -1;
  const kills: KillRecord[] = [];
  const ackedOps: Op[] = [];
  let load: LoadResult | undefined;
  let verification: Verification;
  const lane = grpcLaneFor(target, w, { grpcShare: opts.grpcShare ?? 0.5, grpcBatch: opts.grpcBatch ?? 10, grpcStreams: 2, seed: opts.seed });
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
      ...(lane ? { grpc: lane } : {}),
    }).then((r) => (load = r));
    const progress = setInterval(() => log(`  ${ackedOps.length}/${w.ops.length} acknowledged at ${((performance.now() - t0) / 1000).toFixed(0)} s`), 10_000);
    // resending forever must end: after the window and the faults, give the platform this long to take the rest
    const giveUp = setTimeout(() => {
      signal.stopped = true;
      log(`giving up: ${w.ops.length - ackedOps.length} submissions still unacknowledged ${opts.loadTimeoutSec ?? 300} s after the window`);
    }, (windowSec + (opts.loadTimeoutSec ?? 300)) * 1000);

    for (let k = 0; k < events; k++) {
      const slice = (windowSec * 1000) / events;
      const due = t0 + k * slice + (0.15 + 0.7 * random()) * slice;
      const wait = Math.max(300, due - performance.now());
      await Promise.race([sleep(wait), loadDone]);
      if (load) log(`the load finished before event ${k + 1}; acting during the drain`);
      const atSec = Math.round(((performance.now() - t0) / 1000) * 100) / 100;
      const ackedBefore = ackedOps.length;
      const down0 = performance.now();
      let record: KillRecord;
      if (k === kafkaSlot) {
        const pid = target.infraProcesses().find((p) => p.name === 'kafka')?.pid ?? -1;
        log(`event ${k + 1}: restarting the Kafka broker (pid ${pid}) at ${atSec} s with ${ackedBefore} acknowledged`);
        await target.restartKafka();
        kafkaRestart = 'done';
        record = { n: k + 1, atSec, process: 'kafka broker', pid, signal: 'restart', ackedBefore, downSec: Math.round((performance.now() - down0) / 10) / 100 };
      } else {
        const victim = victims[Math.floor(random() * victims.length)]!;
        const pid = await target.killService(victim);
        log(`event ${k + 1}: SIGKILL ${victim} (pid ${pid}) at ${atSec} s with ${ackedBefore} acknowledged; starting it again`);
        await target.startService(victim);
        record = { n: k + 1, atSec, process: victim, pid, signal: 'SIGKILL', ackedBefore, downSec: Math.round((performance.now() - down0) / 10) / 100 };
      }
      kills.push(record);
      log(`  back after ${record.downSec} s`);
    }
    await loadDone;
    clearInterval(progress);
    clearTimeout(giveUp);
    log(`load done: ${ackedOps.length}/${w.ops.length} acknowledged; waiting for VN to reflect them`);
    const lastPosition = Math.max(0, ...load!.results.map((r) => r?.position ?? 0));
    const expected = expectedTotals(w, ackedOps);
    const poller = new RollupPoller(target.client, w.period, w.catalog.template, 200).start();
    const reached = await waitForNational(poller, expected.reports, lastPosition, 600_000);
    poller.stop();
    if (reached === null) log('VN did not reflect every acknowledged report within 600 s');
    else log(`VN reflects every acknowledged report ${((reached - (load!.endedAt)) / 1000).toFixed(1)} s after the last acknowledgement`);
    verification = await verifyTotals(target.client, w, expected, lastPosition);
    verification.mismatches.push(...(await verifyVersions(target, w, ackedOps)));
    verification.correct = verification.correct && verification.mismatches.length === 0;
    if (Object.values(target.replicas).some((n) => (n ?? 1) > 1)) {
      replicas = (await replicaFigures(target, Object.keys(target.client.opsHeaders).length > 0 ? target.client.opsHeaders : target.client.adminHeaders)).figures;
    }
  } catch (e) {
    process.stderr.write(`${target.output()}\n`);
    throw e;
  } finally {
    lane?.submitter.close();
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
    kafkaRestart,
    infra: target.infra,
    replicas,
    resent: load!.retriedErrors,
    loadSec: Math.round((load!.endedAt - load!.startedAt) / 10) / 100,
    verification: { ...rest, mismatches: [...failures, ...rest.mismatches].slice(0, 20) },
    correct: correct && failures.length === 0 && ackedOps.length === w.ops.length && kills.length === events,
  };
}
