import { TallyError } from '@tally/contracts';
import type { EventStore } from '@tally/eventstore';
import { eventContextOf } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import type { CatalogRegistry } from './catalog-registry';
import { publishCatalog } from './publish-catalog';

const DATE = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';

export function indicatorRoutes(deps: { store: EventStore; registry: CatalogRegistry; nudgeRelay: () => void }): FastifyPluginAsync {
  return async (app) => {
    app.put('/catalog', { schema: { body: { type: 'object' } } }, async (request, reply) => {
      const result = await publishCatalog(deps.store, request.body, eventContextOf(request));
      deps.nudgeRelay();
      // the registry follows the stream; make the new version visible to this process at once
      deps.registry.add(result.catalog);
      const { catalog: _catalog, ...answer } = result;
      return reply.status(result.created ? 201 : 200).send(answer);
    });

    app.get(
      '/catalog',
      {
        schema: {
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { version: { type: 'string', maxLength: 64 }, date: { type: 'string', pattern: DATE } },
          },
        },
      },
      async (request) => {
        const q = request.query as { version?: string; date?: string };
        const catalog = q.version ? deps.registry.version(q.version) : q.date ? deps.registry.forDate(q.date) : deps.registry.latest();
        if (!catalog) throw new TallyError('NOT_FOUND', q.version ? `no catalog version ${q.version}` : 'no catalog is published');
        return catalog;
      },
    );

    app.get('/catalog/versions', async () =>
      deps.registry.all().map((c) => ({ version: c.version, legalBasis: c.legalBasis, effectiveFrom: c.effectiveFrom ?? null, effectiveTo: c.effectiveTo ?? null })),
    );
  };
}
