import type { HierarchyQuery } from '@tally/contracts';
import type { Platform, ServiceModule } from '@tally/runtime';
import { SyncCursors } from './cursors';
import { SyncAgent } from './sync-agent';
import { syncRoutes } from './sync-routes';
import { httpUpstreamClient, type UpstreamClient } from './upstream-client';

export interface SyncService extends ServiceModule {
  /** the link to the upstream (null when this deployment has none) */
  readonly agent: SyncAgent | null;
}

/**
 * Federation: every deployment serves the upstream side (its sync accounts pull and push); a deployment with
 * TALLY_UPSTREAM_URL also runs the agent that keeps its link, every TALLY_SYNC_INTERVAL_MS (0: only when asked).
 */
export function createSyncService(platform: Platform, deps: { hierarchy: HierarchyQuery; upstream?: UpstreamClient }): SyncService {
  const { config } = platform;
  const url = config.upstreamUrl ?? null;
  const client = deps.upstream ?? (url && config.upstreamToken ? httpUpstreamClient(url, config.upstreamToken) : null);
  const agent = url && client
    ? new SyncAgent({ store: platform.store, cursors: new SyncCursors(platform.readStore), upstream: client, mode: config.syncUp, logger: platform.logger, nudgeRelay: platform.nudgeRelay })
    : null;
  let timer: NodeJS.Timeout | null = null;
  const tick = () => {
    agent?.syncOnce().catch(() => {}).finally(() => {
      if (timer) timer = setTimeout(tick, config.syncIntervalMs);
    });
  };
  return {
    name: 'sync',
    agent,
    routes: syncRoutes({ store: platform.store, hierarchy: deps.hierarchy, nudgeRelay: platform.nudgeRelay, agent: () => agent, upstreamUrl: url }),
    consumers: () => [],
    async start() {
      if (agent && config.syncIntervalMs > 0) timer = setTimeout(tick, 0);
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
