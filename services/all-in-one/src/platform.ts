import type { HierarchyRegistry } from '@tally/core';
import type { Relay } from '@tally/eventstore';
import { loadHierarchies } from '@tally/reference-data';
import { createHttpApp, createLogger, loadConfig, observe, openPlatform, type Logger, type Platform, type ServiceModule, type TallyConfig } from '@tally/runtime';
import { createHierarchyRollupService, type HierarchyRollupService } from '@tally/svc-hierarchy-rollup';
import { createIndicatorService, type IndicatorService } from '@tally/svc-indicator';
import { createIngestionService } from '@tally/svc-ingestion';
import { createNotificationService, type NotificationOptions, type NotificationService } from '@tally/svc-notification';
import { createOpenDataService } from '@tally/svc-open-data';
import { createProjectionService } from '@tally/svc-projection';
import { createSyncService, installUpstreamGuard, type SyncService, type UpstreamClient } from '@tally/svc-sync';
import type { FastifyInstance } from 'fastify';
import { healthRoutes } from './health';
import { mountWebApp } from './web-app/static';
import { createAuth, type Auth, type AuthSettings } from '@tally/auth';

/**
 * Every service in one process on the embedded adapters (SQLite files under the data directory).
 * The services only see the ports: the same code runs distributed on Kafka and MongoDB.
 */
export interface RunningPlatform {
  config: TallyConfig;
  app: FastifyInstance;
  platform: Platform;
  relay: Relay;
  services: ServiceModule[];
  indicator: IndicatorService;
  hierarchyRollup: HierarchyRollupService;
  /** inboxes, tasks, deadlines, e-mail and webhooks */
  notification: NotificationService;
  registry: HierarchyRegistry;
  /** accounts, sign-in, tokens and the access policy (enforced unless config.auth is 'off') */
  auth: Auth;
  /** federation: the link to an upstream deployment (agent null when not linked) */
  sync: SyncService;
  /**
   * Stops consumers, drops the read models, resets consumer offsets and replays the log from zero: of every
   * service, or only of the services named (the others keep serving).
   */
  rebuild(only?: string[]): Promise<void>;
  /** resolves when every consumer has applied everything published so far */
  waitUntilCaughtUp(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface PlatformOptions {
  config?: Partial<TallyConfig>;
  logger?: Logger;
  registry?: HierarchyRegistry;
  /** overrides of the auth settings read from the environment (admin password, rate limits...) */
  auth?: Partial<AuthSettings>;
  /** notification settings, clock and mailer (tests) */
  notification?: NotificationOptions;
  /** federation: how to reach the upstream (default: HTTP to config.upstreamUrl) */
  upstream?: UpstreamClient;
}

export async function startEmbeddedPlatform(options: PlatformOptions = {}): Promise<RunningPlatform> {
  const config: TallyConfig = { ...loadConfig(), ...options.config };
  const logger = options.logger ?? createLogger('tally');
  const opened = await openPlatform(config, logger, { runRelay: true, embedded: true });
  const { platform } = opened;
  const { store, bus, readStore } = platform;
  const relay = opened.relay!; // runRelay
  observe.log(store);

  const registry = options.registry ?? loadHierarchies();
  const indicator = createIndicatorService(platform);
  const hierarchyRollup = createHierarchyRollupService(platform, { registry, catalog: indicator.catalogQuery });
  indicator.connect({ hierarchy: hierarchyRollup.hierarchyQuery, rollups: hierarchyRollup.rollupQuery });
  const deps = { catalog: indicator.catalogQuery, hierarchy: hierarchyRollup.hierarchyQuery, rollups: hierarchyRollup.rollupQuery };
  const notification = createNotificationService(platform, deps, options.notification);
  const sync = createSyncService(platform, { hierarchy: hierarchyRollup.hierarchyQuery, ...(options.upstream ? { upstream: options.upstream } : {}) });
  const services: ServiceModule[] = [
    indicator,
    hierarchyRollup,
    createIngestionService(platform, deps),
    createProjectionService(platform, { catalog: deps.catalog, hierarchy: deps.hierarchy }),
    notification,
    createOpenDataService(platform, deps),
    sync,
  ];

  const app = createHttpApp({ logger, bodyLimit: config.bodyLimitBytes });
  const auth = await createAuth({
    store,
    hierarchy: hierarchyRollup.hierarchyQuery,
    logger,
    dataDir: config.dataDir,
    enforce: config.auth !== 'off',
    nudgeRelay: platform.nudgeRelay,
    ...(options.auth ? { settings: options.auth } : {}),
  });
  auth.install(app);
  installUpstreamGuard(app, config.upstreamUrl ?? null);
  await app.register(auth.routes, { prefix: '/api/v1' });
  for (const s of services) if (s.routes) await app.register(s.routes, { prefix: '/api/v1' });
  await app.register(healthRoutes({ services, relay, store }));
  await mountWebApp(app); // the web app at / (built by main.ts / the browser tests; see web-app/build.ts)
  for (const s of services) await s.start();

  const allConsumers = () => services.flatMap((s) => s.consumers());
  const running: RunningPlatform = {
    config,
    app,
    platform,
    relay,
    services,
    indicator,
    hierarchyRollup,
    notification,
    registry,
    auth,
    sync,
    async waitUntilCaughtUp(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      await relay.drain();
      for (const c of allConsumers()) {
        const ok = await c.waitUntilCaughtUp(Math.max(1, deadline - Date.now()));
        if (!ok) throw new Error(`consumer ${c.groupId} did not catch up within ${timeoutMs} ms`);
      }
    },
    async rebuild(only) {
      const unknown = (only ?? []).filter((name) => !services.some((s) => s.name === name));
      if (unknown.length > 0) throw new Error(`no service named ${unknown.join(', ')} (services: ${services.map((s) => s.name).join(', ')})`);
      const chosen = only ? services.filter((s) => only.includes(s.name)) : services;
      const consumers = chosen.flatMap((s) => s.consumers());
      for (const s of chosen) await s.stop();
      for (const s of chosen) if (s.readModelPrefix) await readStore.dropAll(s.readModelPrefix);
      for (const c of consumers) await bus.resetGroup(c.groupId, c.topics);
      for (const s of chosen) await s.start();
      await running.waitUntilCaughtUp();
    },
    async close() {
      await app.close();
      for (const s of services) await s.stop();
      await opened.close();
    },
  };
  return running;
}
