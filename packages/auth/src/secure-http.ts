import type { HierarchyQuery } from '@tally/contracts';
import type { Platform } from '@tally/runtime';
import type { FastifyInstance } from 'fastify';
import { createAuth, type Auth } from './auth';

/** The auth of one service process (distributed mode): accounts from the shared event store, tokens checked with the shared TALLY_TOKEN_SECRET. */
export function platformAuth(platform: Platform, hierarchy: HierarchyQuery): Promise<Auth> {
  return createAuth({
    store: platform.store,
    hierarchy,
    logger: platform.logger,
    dataDir: platform.config.dataDir,
    enforce: platform.config.auth !== 'off',
    nudgeRelay: platform.nudgeRelay,
  });
}

/**
 * What every service process does to its HTTP app in distributed mode: the same access policy and hooks
 * as the all-in-one process (with `auth`, the one its gRPC server uses too; else a new one). One service
 * (ingestion) also serves /auth and /accounts.
 */
export async function secureHttp(app: FastifyInstance, options: { platform: Platform; hierarchy: HierarchyQuery; withAuthRoutes?: boolean; auth?: Auth }): Promise<Auth> {
  const auth = options.auth ?? (await platformAuth(options.platform, options.hierarchy));
  auth.install(app);
  if (options.withAuthRoutes) await app.register(auth.routes, { prefix: '/api/v1' });
  return auth;
}
