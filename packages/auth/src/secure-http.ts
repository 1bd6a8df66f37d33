import type { HierarchyQuery } from '@tally/contracts';
import type { Platform } from '@tally/runtime';
import type { FastifyInstance } from 'fastify';
import { createAuth, type Auth } from './auth';

/**
 * What every service process does to its HTTP app in distributed mode: the same access policy and hooks
 * as the all-in-one process, accounts read from the shared event store, tokens checked with the shared
 * TALLY_TOKEN_SECRET. One service (ingestion) also serves /auth and /accounts.
 */
export async function secureHttp(app: FastifyInstance, options: { platform: Platform; hierarchy: HierarchyQuery; withAuthRoutes?: boolean }): Promise<Auth> {
  const { platform } = options;
  const auth = await createAuth({
    store: platform.store,
    hierarchy: options.hierarchy,
    logger: platform.logger,
    dataDir: platform.config.dataDir,
    enforce: platform.config.auth !== 'off',
    nudgeRelay: platform.nudgeRelay,
  });
  auth.install(app);
  if (options.withAuthRoutes) await app.register(auth.routes, { prefix: '/api/v1' });
  return auth;
}
