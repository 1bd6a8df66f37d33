import { createLogger } from '@tally/runtime';
import { startEmbeddedPlatform } from './platform';

/**
 * `pnpm tally <command>` on the embedded data directory (TALLY_DATA_DIR).
 *   rebuild   drop every read model, reset every consumer group, replay the log from zero
 */
const [command] = process.argv.slice(2);
const logger = createLogger('tally-cli');
if (command !== 'rebuild') {
  process.stderr.write('usage: pnpm tally rebuild\n');
  process.exit(2);
}
const running = await startEmbeddedPlatform({ logger, config: { demo: false } });
const started = Date.now();
await running.rebuild();
process.stdout.write(`rebuilt every read model from the log in ${Date.now() - started} ms\n`);
await running.close();
