import { DEAD_LETTER_CLI_USAGE, createLogger, exitOnConfigError, loadConfig, openPlatform, runDeadLetterCli, startProgress } from '@tally/runtime';
import { ACCOUNT_CLI_USAGE, runAccountCli } from '@tally/auth';
import { BackupError, backupDataDir, restoreDataDir } from './backup';
import { startEmbeddedPlatform } from './platform';

/**
 * `pnpm tally <command>` on the embedded data directory (TALLY_DATA_DIR).
 *   rebuild [SERVICE...]  drop the read models (of every service, or of those named), reset their consumer
 *                 groups, replay the log from zero
 *   backup DIR    online snapshot of the event log (and token secret) into an empty DIR
 *   restore DIR   lay a backup into an empty data directory and replay it into every read model
 *   account       create, list, disable, enable accounts; reset passwords; issue API tokens (see packages/auth account-cli)
 *   dead-letters list|replay   events consumers could not apply (runtime/consumer/dead-letter.ts); either mode
 */
const USAGE = `usage: pnpm tally rebuild [SERVICE...] | backup DIR | restore DIR\n${ACCOUNT_CLI_USAGE}${DEAD_LETTER_CLI_USAGE}`;
const [command, ...args] = process.argv.slice(2);
const logger = createLogger('tally-cli');
const write = (text: string): boolean => process.stdout.write(text);

async function replay(only?: string[]): Promise<void> {
  const running = await startEmbeddedPlatform({ logger, config: { demo: false } });
  const started = Date.now();
  // progress: how much of the largest backlog seen so far the replaying consumers have applied
  const progress = startProgress('replay', 0);
  let total = 0;
  const poll = setInterval(() => {
    const consumers = running.services.filter((s) => !only || only.includes(s.name)).flatMap((s) => s.consumers());
    void Promise.all(consumers.map((c) => c.lag().catch(() => []))).then((lags) => {
      const behind = lags.flat().reduce((n, l) => n + l.lag, 0);
      total = Math.max(total, behind);
      progress.update(total - behind, total);
    });
  }, 200);
  try {
    await running.rebuild(only);
  } finally {
    clearInterval(poll);
  }
  progress.update(total, total);
  progress.finish(`rebuilt the read models of ${only ? only.join(', ') : 'every service'} from the log in ${Date.now() - started} ms`);
  await running.close();
}

async function main(): Promise<number> {
  switch (command) {
    case 'account': {
      const running = await startEmbeddedPlatform({ logger, config: { demo: false } });
      const code = await runAccountCli(running.auth.service, args, write);
      await running.close();
      return code;
    }
    case 'dead-letters': {
      // the bus alone (embedded files or Kafka, as configured): no consumers, no relay
      const opened = await openPlatform(loadConfig(), logger, { runRelay: false });
      const code = await runDeadLetterCli(opened.platform.bus, args, write);
      await opened.close();
      return code;
    }
    case 'rebuild':
      await replay(args.length > 0 ? args : undefined);
      return 0;
    case 'backup': {
      if (!args[0]) break;
      const m = await backupDataDir(loadConfig().dataDir, args[0]);
      write(`backed up ${m.events} events (log head ${m.headPosition}) to ${args[0]}\n`);
      return 0;
    }
    case 'restore': {
      if (!args[0]) break;
      const dataDir = loadConfig().dataDir;
      const m = restoreDataDir(args[0], dataDir);
      write(`restored ${m.events} events (log head ${m.headPosition}, backed up ${m.createdAt}) into ${dataDir}; replaying...\n`);
      await replay();
      return 0;
    }
  }
  process.stderr.write(USAGE);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof BackupError) {
      process.stderr.write(`${err.code}: ${err.message}\n`);
      process.exit(1);
    }
    exitOnConfigError('tally')(err);
  },
);
