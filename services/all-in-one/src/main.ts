import { createLogger, exitOnConfigError, listenWithAcceptors, startTracing, stopTracing } from '@tally/runtime';
import { loadDemo } from './demo';
import { startEmbeddedPlatform } from './platform';
import { ensureWebBuild } from './web-app/build';

/** `pnpm start`: every service in one process, embedded storage, demo data, one HTTP port. */
const logger = createLogger('tally');
startTracing('all-in-one');
// the web app is built from source when missing or stale (a fresh clone has no build); the API runs without it
await ensureWebBuild((line) => logger.info(line)).catch((err: unknown) => logger.error({ err }, 'web app build failed; serving the API only'));
const running = await startEmbeddedPlatform({ logger }).catch(exitOnConfigError('tally'));
const demo = running.config.demo ? await loadDemo(running) : undefined;
// several sockets on the port where Node and the system allow it: under load the loop accepts one connection per socket
// and iteration (packages/runtime/src/http/listen-with-acceptors.ts)
const listening = await listenWithAcceptors(running.app, { port: running.config.httpPort, host: running.config.httpHost, sockets: running.config.httpAcceptors });
logger.info({ acceptors: listening.sockets }, 'listening');
const url = `http://localhost:${running.config.httpPort}`;
process.stdout.write(
  `\nTally is running (embedded mode, data in ${running.config.dataDir})\n` +
    `  Web app:   ${url}/\n  API:       ${url}/api/v1\n  Health:    ${url}/health\n  Rollup:    ${url}/api/v1/rollups?orgUnit=19&period=2026S1\n  Open data: ${url}/api/v1/open-data/datasets\n\n`,
);
if (demo && demo.logins.length > 0) {
  // demo accounts get fresh random passwords on every start; sign in with POST /api/v1/auth/login
  process.stdout.write(
    `Demo accounts for the web app at ${url}/ (passwords change at every start):\n` +
      demo.logins.map((l) => `  ${l.username.padEnd(14)} ${l.password}  ${l.role} of ${l.orgUnit}`).join('\n') +
      `\n  curl -s ${url}/api/v1/auth/login -H 'content-type: application/json' -d '{"username":"demo.reviewer","password":"<password>"}'\n` +
      `  then send Authorization: Bearer <token>\n\n`,
  );
}

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    listening
      .close()
      .then(() => running.close())
      .then(stopTracing)
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  });
}
