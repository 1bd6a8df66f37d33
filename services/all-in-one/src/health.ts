import type { EventStore, Relay } from '@tally/eventstore';
import { readiness, readyMaxLag, type ServiceModule } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';

/**
 * Public liveness and readiness (`/health`, `/health/ready`: `{status}` and nothing else), and for operators
 * (`/api/v1/health`, `ops.manage`) how far each consumer is behind the log (lag per group) and the relay behind the store.
 */
export function healthRoutes(deps: { services: ServiceModule[]; relay: Relay; store: EventStore }): FastifyPluginAsync {
  const handler = async () => {
    const head = await deps.store.headPosition();
    const services = [];
    for (const s of deps.services) {
      const consumers = [];
      for (const c of s.consumers()) {
        const lags = await c.lag();
        consumers.push({ group: c.groupId, lag: lags.reduce((n, l) => n + l.lag, 0), deadLettered: c.deadLettered(), partitions: lags });
      }
      services.push({ name: s.name, status: 'up', consumers });
    }
    // events dead-lettered by this process's consumers since start (runtime/consumer/dead-letter.ts)
    const deadLettered = deps.services.flatMap((s) => s.consumers()).reduce((n, c) => n + c.deadLettered(), 0);
    return { status: 'ok', log: { head, published: deps.relay.publishedPosition(), relayLag: head - deps.relay.publishedPosition() }, deadLettered, services };
  };
  return async (app) => {
    app.get('/health', async () => ({ status: 'ok' }));
    app.get('/api/v1/health', handler);
    const maxLag = readyMaxLag();
    app.get('/health/ready', async (_request, reply) => {
      const r = await readiness(true, deps.services.flatMap((s) => s.consumers()), maxLag);
      return r.ready ? { status: 'ready' } : reply.status(503).send({ error: { code: 'UNAVAILABLE', message: r.reason } });
    });
  };
}
