import { createLogger } from '@tally/runtime';
import { loadDemo } from './demo';
import { startEmbeddedPlatform } from './platform';

/** `pnpm start`: every service in one process, embedded storage, demo data, one HTTP port. */
const logger = createLogger('tally');
const running = await startEmbeddedPlatform({ logger });
if (running.config.demo) await loadDemo(running);
await running.app.listen({ port: running.config.httpPort, host: running.config.httpHost });
const url = `http://localhost:${running.config.httpPort}`;
process.stdout.write(
  `\nTally is running (embedded mode, data in ${running.config.dataDir})\n` +
    `  API:       ${url}/api/v1\n  Health:    ${url}/health\n  Rollup:    ${url}/api/v1/rollups?orgUnit=19&period=2026S1\n  Open data: ${url}/api/v1/open-data/datasets\n\n`,
);

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
