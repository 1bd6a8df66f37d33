import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HierarchyRegistry } from '@tally/core';
import { openSqliteEventBus } from '@tally/eventbus';
import { openSqliteEventStore, startRelay, type Relay } from '@tally/eventstore';
import { openSqliteReadStore } from '@tally/readstore';
import { loadHierarchies } from '@tally/reference-data';
import { createHttpApp, createLogger, loadConfig, type Logger, type Platform, type ServiceModule, type TallyConfig } from '@tally/runtime';
import { createHierarchyRollupService, type HierarchyRollupService } from '@tally/svc-hierarchy-rollup';
import { createIndicatorService, type IndicatorService } from '@tally/svc-indicator';
import { createIngestionService } from '@tally/svc-ingestion';
import { createNotificationService } from '@tally/svc-notification';
import { createOpenDataService } from '@tally/svc-open-data';
import { createProjectionService } from '@tally/svc-projection';
import { createSyncService, installUpstreamGuard, type SyncService, type UpstreamClient } from '@tally/svc-sync';
import { DEFAULT_PARTITIONS } from '@tally/contracts';
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
  registry: HierarchyRegistry;
  /** accounts, sign-in, tokens and the access policy (enforced unless config.auth is 'off') */
  auth: Auth;
  /** federation: the link to an upstream deployment (agent null when not linked) */
  sync: SyncService;
  /** stops consumers, drops every read model, resets consumer offsets and replays the log from zero */
  rebuild(): Promise<void>;
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
  /** federation: how to reach the upstream (default: HTTP to config.upstreamUrl) */
  upstream?: UpstreamClient;
}

export async function startEmbeddedPlatform(options: PlatformOptions = {}): Promise<RunningPlatform> {
  const config: TallyConfig = { ...loadConfig(), ...options.config };
  const logger = options.logger ?? createLogger('tally');
  mkdirSync(config.dataDir, { recursive: true });
  const store = openSqliteEventStore(join(config.dataDir, 'events.db'));
  const bus = openSqliteEventBus(join(config.dataDir, 'bus.db'));
  const readStore = openSqliteReadStore(join(config.dataDir, 'read.db'));
  await bus.ensureTopics(Object.entries(DEFAULT_PARTITIONS).map(([name, partitions]) => ({ name, partitions })));
  const relay = startRelay({ store, bus, onError: (err) => logger.error({ err }, 'relay failed; retrying') });
  const platform: Platform = { store, bus, readStore, logger, config, nudgeRelay: () => relay.nudge() };

  const registry = options.registry ?? loadHierarchies();
  const indicator = createIndicatorService(platform);
  const hierarchyRollup = createHierarchyRollupService(platform, { registry, catalog: indicator.catalogQuery });
  indicator.connect({ hierarchy: hierarchyRollup.hierarchyQuery, rollups: hierarchyRollup.rollupQuery });
  const deps = { catalog: indicator.catalogQuery, hierarchy: hierarchyRollup.hierarchyQuery, rollups: hierarchyRollup.rollupQuery };
  const sync = createSyncService(platform, { hierarchy: hierarchyRollup.hierarchyQuery, ...(options.upstream ? { upstream: options.upstream } : {}) });
  const services: ServiceModule[] = [
    indicator,
    hierarchyRollup,
    createIngestionService(platform, deps),
    createProjectionService(platform, { catalog: deps.catalog, hierarchy: deps.hierarchy }),
    createNotificationService(platform, deps),
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
    async rebuild() {
      const consumers = allConsumers();
      for (const s of services) await s.stop();
      for (const s of services) if (s.readModelPrefix) await readStore.dropAll(s.readModelPrefix);
      for (const c of consumers) await bus.resetGroup(c.groupId, c.topics);
      for (const s of services) await s.start();
      await running.waitUntilCaughtUp();
    },
    async close() {
      await app.close();
      for (const s of services) await s.stop();
      await relay.stop();
      await bus.close();
      await readStore.close();
      await store.close();
    },
  };
  return running;
}
