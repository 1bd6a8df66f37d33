import { DEAD_LETTER_CLI_USAGE, createLogger, loadConfig, openPlatform, runDeadLetterCli } from '@tally/runtime';
import { ACCOUNT_CLI_USAGE, runAccountCli } from '@tally/auth';
import { startEmbeddedPlatform } from './platform';

/**
 * `pnpm tally <command>` on the embedded data directory (TALLY_DATA_DIR).
 *   rebuild   drop every read model, reset every consumer group, replay the log from zero
 *   account   create, list, disable, enable accounts; reset passwords; issue API tokens (see packages/auth account-cli)
 *   dead-letters list|replay   events consumers could not apply (runtime/consumer/dead-letter.ts); either mode
 */
const [command, ...args] = process.argv.slice(2);
const logger = createLogger('tally-cli');
if (command === 'account') {
  const running = await startEmbeddedPlatform({ logger, config: { demo: false } });
  const code = await runAccountCli(running.auth.service, args, (text) => process.stdout.write(text));
  await running.close();
  process.exit(code);
}
if (command === 'dead-letters') {
  // the bus alone (embedded files or Kafka, as configured): no consumers, no relay
  const opened = await openPlatform(loadConfig(), logger, { runRelay: false });
  const code = await runDeadLetterCli(opened.platform.bus, args, (text) => process.stdout.write(text));
  await opened.close();
  process.exit(code);
}
if (command !== 'rebuild') {
  process.stderr.write(`usage: pnpm tally rebuild\n${ACCOUNT_CLI_USAGE}${DEAD_LETTER_CLI_USAGE}`);
  process.exit(2);
}
const running = await startEmbeddedPlatform({ logger, config: { demo: false } });
const started = Date.now();
await running.rebuild();
process.stdout.write(`rebuilt every read model from the log in ${Date.now() - started} ms\n`);
await running.close();
