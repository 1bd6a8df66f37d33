/**
 * `pnpm chaos`: SIGKILL the platform several times under load, restart it, resend what was not acknowledged,
 * then verify every acknowledged report is counted exactly once. Last line of stdout: the JSON summary.
 * Exits 1 on a failed verification, 2 when the mode cannot run here.
 */
import { UsageError } from '../bench/args';
import { replicasFlag, runCli, wholeFlag } from '../bench/cli';
import { DEFAULT_CHAOS_OPTIONS, runChaos, type ChaosOptions, type ChaosSummary } from './run';

const USAGE = `usage: pnpm chaos [--communes N] [--values K] [--kills N] [--map pre2025|2025] [--mode embedded|distributed]
                  [--seed N] [--concurrency C] [--window-sec S] [--grpc-share F] [--no-kafka-restart]
                  [--load-timeout-sec S] [--replicas SERVICE=N[,SERVICE=N]] [--victims NAME[,NAME]]
  defaults: 300 communes x 50 values, 4 kills, the load spread over 5 s per kill (and per Kafka restart)
  distributed: SIGKILLs seeded random services among the six, restarts the Kafka broker once when the harness
  started it (KAFKA_BROKERS unset), sends --grpc-share (default 0.5) of the reports over the gRPC SubmitStream;
  --replicas runs N processes of a service (e.g. hierarchy-rollup=2), --victims limits the kills to these processes
  (a service's first replica is its name, the n-th \`<service>#<n>\`: --victims hierarchy-rollup#2)`;

function formatChaos(s: ChaosSummary): string {
  const lines = [
    `chaos (${s.mode}, ${s.map}): ${s.communes} communes x ${s.valuesPerReport} values, ${s.submissions} submissions in ${s.loadSec} s`,
    ...(s.infra ? [`  infrastructure: ${s.infra.source} (Kafka ${s.infra.kafkaBrokers.join(',')}, ${s.infra.mongoEngine})`] : []),
    ...Object.entries(s.replicas ?? {}).map(([name, f]) => `  replica ${name}: ${f.applied ? Object.entries(f.applied).map(([g, n]) => `${g} ${n}`).join(', ') || 'no events' : 'no answer'} (since its last start)`),
    ...s.kills.map((k) =>
      k.signal === 'restart'
        ? `  event ${k.n}: restart ${k.process} pid ${k.pid} at ${k.atSec} s, ${k.ackedBefore} acknowledged before, back after ${k.downSec} s`
        : `  ${s.mode === 'distributed' ? 'event' : 'kill'} ${k.n}: SIGKILL ${k.process} pid ${k.pid} at ${k.atSec} s, ${k.ackedBefore} acknowledged before, back after ${k.downSec} s`,
    ),
    ...(s.kafkaRestart && s.kafkaRestart !== 'done' ? [`  Kafka restart: ${s.kafkaRestart}`] : []),
    `  resent after errors: ${s.resent} requests (same submissionId)`,
    `  acknowledged: ${s.acknowledged}/${s.submissions} submissions, ${s.reports} reports; VN completeness.received ${s.verification.received}`,
    `  checked: ${s.verification.unitsChecked} units, ${s.verification.valuesChecked} totals, ${s.reports} report versions`,
    s.correct ? 'VERDICT: PASS (every acknowledged report counted exactly once)' : `VERDICT: FAIL\n    ${s.verification.mismatches.join('\n    ')}`,
  ];
  return lines.join('\n');
}

runCli<ChaosOptions, ChaosSummary>({
  name: 'chaos',
  usage: USAGE,
  flags: {
    communes: 'number',
    values: 'number',
    kills: 'number',
    seed: 'number',
    concurrency: 'number',
    'window-sec': 'number',
    'grpc-share': 'number',
    'no-kafka-restart': 'boolean',
    'load-timeout-sec': 'number',
    replicas: 'string',
    victims: 'string',
  },
  options: (flags, log) =>
    ({
      ...DEFAULT_CHAOS_OPTIONS,
      ...(flags.mode ? { mode: flags.mode as ChaosOptions['mode'] } : {}),
      ...(flags.map ? { map: flags.map as ChaosOptions['map'] } : {}),
      ...(flags.communes !== undefined ? { communes: wholeFlag(flags, 'communes', 1) } : {}),
      ...(flags.values !== undefined ? { valuesPerReport: wholeFlag(flags, 'values', 1) } : {}),
      ...(flags.kills !== undefined ? { kills: wholeFlag(flags, 'kills', 1) } : {}),
      ...(flags.seed !== undefined ? { seed: flags.seed as number } : {}),
      ...(flags.concurrency !== undefined ? { concurrency: wholeFlag(flags, 'concurrency', 1) } : {}),
      ...(flags['window-sec'] !== undefined ? { windowSec: flags['window-sec'] as number } : {}),
      ...(flags['grpc-share'] !== undefined ? { grpcShare: Math.min(1, flags['grpc-share'] as number) } : {}),
      ...(flags['no-kafka-restart'] ? { restartKafka: false } : {}),
      ...(flags['load-timeout-sec'] !== undefined ? { loadTimeoutSec: flags['load-timeout-sec'] as number } : {}),
      ...(flags.replicas !== undefined ? { replicas: replicasFlag(flags) } : {}),
      ...(flags.victims !== undefined ? { victims: victimsFlag(flags) } : {}),
      log,
    }),
  run: runChaos,
  format: formatChaos,
});

function victimsFlag(flags: Record<string, string | number | boolean>): string[] {
  if (flags.mode !== 'distributed') throw new UsageError('--victims needs --mode distributed');
  const names = String(flags.victims).split(',').map((v) => v.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError('--victims needs at least one process name');
  return names;
}
