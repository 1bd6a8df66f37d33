import type { FastifyPluginAsync } from 'fastify';
import type { RouteDeps } from './deps';
import { inboxRoutes } from './inbox';
import { taskRoutes } from './tasks';
import { webhookRoutes } from './webhooks';

export type { RouteDeps } from './deps';

/** Inbox, preferences, tasks and webhooks (under /api/v1). */
export function notificationRoutes(deps: RouteDeps): FastifyPluginAsync {
  return async (app) => {
    await app.register(inboxRoutes(deps));
    await app.register(taskRoutes(deps));
    await app.register(webhookRoutes(deps));
  };
}
