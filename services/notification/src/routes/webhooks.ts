import { randomUUID } from 'node:crypto';
import { TallyError } from '@tally/contracts';
import { type WebhookRegisteredData } from '@tally/core';
import { OneOf, OrgUnitCode, Strict, Type, Uuid, eventContextOf, type TypeBoxTypeProvider } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import { urlProblem } from '../allow-list';
import { registerWebhook } from '../commands';
import { MESSAGE_KINDS } from '../messages';
import { callerOf, requireWithin } from '../scope';
import { currentHierarchyVersion, type RouteDeps } from './deps';

const KindOrAll = OneOf(['*', ...MESSAGE_KINDS]);
const WebhookBody = Strict({
  url: Type.String({ minLength: 8, maxLength: 2000 }),
  events: Type.Array(KindOrAll, { minItems: 1, maxItems: 64, uniqueItems: true }),
  orgUnit: OrgUnitCode,
  secret: Type.String({ minLength: 16, maxLength: 256 }),
});
const WebhookParams = Strict({ id: Uuid });
const DeliveriesQuery = Strict({ state: Type.Optional(OneOf(['pending', 'sent', 'dead'])) });
const RetryParams = Strict({ id: Uuid, deliveryId: Type.String({ pattern: '^[0-9a-f]{32}$' }) });

/** Webhooks: register, list deliveries, retry one (under /api/v1). */
export function webhookRoutes(deps: RouteDeps): FastifyPluginAsync {
  const { stores, hierarchy } = deps;
  const currentVersion = currentHierarchyVersion(deps);

  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    app.post(
      '/webhooks',
      {
        schema: { body: WebhookBody },
      },
      async (request, reply) => {
        const body = request.body;
        const problem = urlProblem(deps.settings.webhookAllow, body.url);
        if (problem) throw new TallyError('INVALID_REQUEST', `webhook url refused: ${problem}`, { field: 'url' });
        if (body.orgUnit !== 'VN' && !(await hierarchy.unit(await currentVersion(), body.orgUnit))) throw new TallyError('UNKNOWN_ORG_UNIT', `no unit ${body.orgUnit}`);
        const id = randomUUID();
        const data: WebhookRegisteredData = { id, url: body.url, events: body.events, orgUnit: body.orgUnit, secret: body.secret, createdBy: callerOf(request).username ?? 'anonymous' };
        if (await registerWebhook(deps.store, data, eventContextOf(request))) deps.nudgeRelay();
        return reply.status(201).send({ id });
      },
    );

    const webhookOf = async (id: string, orgUnit: string): Promise<WebhookRegisteredData> => {
      const hook = await deps.webhooks.get(id);
      if (!hook) throw new TallyError('NOT_FOUND', `no webhook ${id}`);
      await requireWithin(hierarchy, await currentVersion(), hook.orgUnit, orgUnit);
      return hook;
    };
    app.get(
      '/webhooks/:id/deliveries',
      { schema: { params: WebhookParams, querystring: DeliveriesQuery } },
      async (request) => {
        const { id } = request.params;
        const { state } = request.query;
        await webhookOf(id, callerOf(request).orgUnit);
        const rows = await stores.outbox.find({ target: id, channel: 'webhook', ...(state ? { state } : {}) });
        return {
          webhook: id,
          deliveries: rows
            .sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1))
            .map((d) => ({ id: d._id, kind: d.kind, orgUnit: d.orgUnit, messageId: d.messageId, state: d.state, attempts: d.attempts, lastError: d.lastError, createdAt: d.createdAt, sentAt: d.sentAt, nextAttemptAt: d.state === 'pending' && d.nextAt > 0 ? new Date(d.nextAt).toISOString() : null })),
        };
      },
    );

    app.post(
      '/webhooks/:id/deliveries/:deliveryId/retry',
      { schema: { params: RetryParams } },
      async (request, reply) => {
        const { id, deliveryId } = request.params;
        await webhookOf(id, callerOf(request).orgUnit);
        const d = await stores.outbox.get(deliveryId);
        if (!d || d.target !== id || d.channel !== 'webhook') throw new TallyError('NOT_FOUND', `no delivery ${deliveryId} for webhook ${id}`);
        if (d.state === 'sent') throw new TallyError('INVALID_TRANSITION', `delivery ${deliveryId} was delivered at ${d.sentAt}`);
        await stores.outboxPending.update(deliveryId, { set: { pending: true } });
        await stores.outbox.update(deliveryId, { set: { state: 'pending', attempts: 0, nextAt: 0, lastError: null } });
        await stores.flush(); // the outbox is not a projection: the 202 promises a retry
        deps.dispatcher()?.nudge();
        return reply.status(202).send({ id: deliveryId, state: 'pending' });
      },
    );
  };
}
