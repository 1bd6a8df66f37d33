import { parseReplicas } from '../../../../services/all-in-one/src/distributed/replicas';
import { parseFlags, UsageError } from './args';
import { TargetUnavailable } from './target';

export type Flags = Record<string, string | number | boolean>;

/** What differs between `pnpm bench` and `pnpm chaos`; the rest (flags, exit codes, output) is `runCli`. */
export interface CliCommand<O extends { mode: string }, S extends { correct: boolean }> {
  /** prefix of stderr lines: `[name] ...` */
  name: string;
  usage: string;
  /** flags besides --map, --mode and --help, which every command takes */
  flags: Record<string, 'string' | 'number' | 'boolean'>;
  /** options from the parsed flags; throws UsageError for a bad combination */
  options(flags: Flags, log: (line: string) => void): O;
  run(options: O): Promise<S>;
  /** the readable report printed before the JSON summary */
  format(summary: S): string;
}

/**
 * Runs a bench-style command and exits: 0 when the summary is correct, 1 when it is not (or the command failed),
 * 2 for a usage error or a mode that cannot run here. The JSON summary is always the last line of stdout.
 */
export function runCli<O extends { mode: string }, S extends { correct: boolean }>(command: CliCommand<O, S>): void {
  const log = (line: string) => process.stderr.write(`[${command.name}] ${line}\n`);
  main(command, log).then(
    (code) => process.exit(code),
    (err: unknown) => {
      log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(1);
    },
  );
}

async function main<O extends { mode: string }, S extends { correct: boolean }>(command: CliCommand<O, S>, log: (line: string) => void): Promise<number> {
  let options: O;
  try {
    const flags = parseFlags(process.argv.slice(2), { ...command.flags, map: 'string', mode: 'string', help: 'boolean' });
    if (flags.help) {
      process.stdout.write(`${command.usage}\n`);
      return 0;
    }
    if (flags.map !== undefined && flags.map !== 'pre2025' && flags.map !== '2025') throw new UsageError('--map must be pre2025 or 2025');
    if (flags.mode !== undefined && flags.mode !== 'embedded' && flags.mode !== 'distributed') throw new UsageError('--mode must be embedded or distributed');
    options = command.options(flags, log);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n${command.usage}\n`);
    return 2;
  }
  try {
    const summary = await command.run(options);
    process.stdout.write(`\n${command.format(summary)}\n\n${JSON.stringify(summary)}\n`);
    return summary.correct ? 0 : 1;
  } catch (e) {
    if (e instanceof TargetUnavailable) {
      log(`cannot run ${options.mode} mode here: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

/** A given number flag `--name N` as a whole number of at least `min`. */
export function wholeFlag(flags: Flags, name: string, min = 0): number {
  return Math.max(min, Math.floor(Number(flags[name])));
}

/** `--replicas SERVICE=N[,...]`, distributed mode only */
export function replicasFlag(flags: Record<string, string | number | boolean>): ReturnType<typeof parseReplicas> {
  if (flags.mode !== 'distributed') throw new UsageError('--replicas needs --mode distributed (embedded mode is one process)');
  try {
    return parseReplicas([String(flags.replicas)]);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
