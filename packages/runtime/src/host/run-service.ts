import { startGrpcServer, type GrpcRegistration, type RunningGrpcServer } from '@tally/contracts';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type TallyConfig } from '../config';
import { exitOnConfigError } from './exit-on-config-error';
import { createHttpApp } from '../http/create-app';
import { listenWithAcceptors } from '../http/listen-with-acceptors';
import { createLogger, type Logger } from '../logger';
import type { Platform, ServiceModule } from '../service/service-module';
import { openPlatform, type OpenedPlatform } from './open-platform';
import { readiness, readyMaxLag } from './readiness';
import { observe } from '../observability/metrics';
import { startTracing, stopTracing } from '../observability/tracing';

/**
 * Runs ONE service as its own process (distributed mode): its HTTP routes with health and readiness,
 * its gRPC server, its consumers; and a graceful shutdown on SIGTERM/SIGINT that stops taking requests,
 * lets in-flight batches finish and commit, leaves the consumer groups and closes the adapters.
 */
export interface HostedService {
  module: ServiceModule;
  grpc?: GrpcRegistration[];
  /** prepares the HTTP app before any route is registered (access control) */
  installHttp?: (app: FastifyInstance) => Promise<unknown>;
  /** closes clients the service opened (gRPC peers) */
  close?: () => Promise<void> | void;
}

export interface RunningService {
  config: TallyConfig;
  app: FastifyInstance;
  grpc: RunningGrpcServer | null;
  stop(): Promise<void>;
}

export async function runService(
  name: string,
  create: (platform: Platform, config: TallyConfig, logger: Logger) => Promise<HostedService> | HostedService,
  options: { config?: TallyConfig; installSignalHandlers?: boolean } = {},
): Promise<RunningService> {
  const config = options.config ?? configOrExit(`tally-${name}`);
  const logger = createLogger(`tally-${name}`);
  startTracing(name);
  // every service runs a relay; the lease in the event store lets one publish at a time (TALLY_RELAY=off: none here)
  const opened: OpenedPlatform = await openPlatform(config, logger, { runRelay: config.relay === 'on' });
  // a service's own settings (notification, open data) are read here: one they cannot understand ends the process too
  const hosted = await Promise.resolve()
    .then(() => create(opened.platform, config, logger))
    .catch(exitOnConfigError(`tally-${name}`));
  observe.log(opened.platform.store);
  let ready = false;
  const app = createHttpApp({ logger, bodyLimit: config.bodyLimitBytes });
  await hosted.installHttp?.(app);
  if (hosted.module.routes) await app.register(hosted.module.routes, { prefix: '/api/v1' });
  const health = async () => {
    const consumers = [];
    for (const c of hosted.module.consumers()) {
      const lags = await c.lag();
      consumers.push({ group: c.groupId, lag: lags.reduce((n, l) => n + l.lag, 0), deadLettered: c.deadLettered(), partitions: lags });
    }
    const deadLettered = consumers.reduce((n, c) => n + c.deadLettered, 0);
    return { status: 'ok', service: name, mode: config.mode, instance: config.instanceId, deadLettered, services: [{ name, status: ready ? 'up' : 'starting', consumers }] };
  };
  // public: up or not, nothing about the internals (the groups, lags and instance are for operators: /api/v1/health)
  app.get('/health', async () => ({ status: ready ? 'ok' : 'starting' }));
  app.get('/api/v1/health', health);
  const maxLag = readyMaxLag();
  app.get('/health/ready', async (_request, reply) => {
    const r = await readiness(ready, hosted.module.consumers(), maxLag);
    return r.ready ? { status: 'ready' } : reply.status(503).send({ error: { code: 'UNAVAILABLE', message: r.reason } });
  });

  // gRPC first: peers' look-ups (hierarchy, catalog) do not wait for this process's consumers to join their groups
  const grpc = hosted.grpc && hosted.grpc.length > 0 ? await startGrpcServer(`0.0.0.0:${config.grpcPort}`, hosted.grpc) : null;
  await hosted.module.start();
  // several sockets on the port where Node and the system allow it: new connections are not held back by a busy loop
  const listening = await listenWithAcceptors(app, { port: config.httpPort, host: config.httpHost, sockets: config.httpAcceptors });
  ready = true;
  logger.info({ http: config.httpPort, acceptors: listening.sockets, grpc: grpc?.port ?? null, mode: config.mode }, `${name} is ready`);

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      ready = false;
      await listening.close();
      await app.close();
      await hosted.module.stop();
      await grpc?.stop();
      await hosted.close?.();
      await opened.close();
      await stopTracing();
    })());

  if (options.installSignalHandlers !== false) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        logger.info({ signal }, 'shutting down');
        stop().then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      });
    }
  }
  return { config, app, grpc, stop };
}

/** The process's configuration; a setting it cannot understand ends it (exit-on-config-error.ts). */
function configOrExit(processName: string): TallyConfig {
  try {
    return loadConfig();
  } catch (err) {
    return exitOnConfigError(processName)(err);
  }
}
