import { TallyError } from '@tally/contracts';
import { isUpstreamOwnedRoute } from '@tally/core';
import type { FastifyInstance } from 'fastify';

/** On a linked deployment, local edits of what the upstream owns (catalog, map, targets, tasks) get 409 UPSTREAM_OWNED. */
export function installUpstreamGuard(app: FastifyInstance, upstreamUrl: string | null): void {
  if (!upstreamUrl) return;
  app.addHook('onRequest', async (request) => {
    if (isUpstreamOwnedRoute(request.method, request.routeOptions.url)) {
      throw new TallyError('UPSTREAM_OWNED', `this deployment is linked to ${upstreamUrl}, which owns the catalog, the map, targets and tasks; change them there`);
    }
  });
}
