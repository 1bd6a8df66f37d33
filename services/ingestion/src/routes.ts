import type { CatalogQuery, HierarchyQuery } from '@tally/contracts';
import type { EventStore } from '@tally/eventstore';
import { eventContextOf, type TypeBoxTypeProvider } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import { SubmitReportSchema } from './report-schema';
import { submitReport } from './submit-report';

export function ingestionRoutes(deps: { store: EventStore; catalog: CatalogQuery; hierarchy: HierarchyQuery; nudgeRelay: () => void }): FastifyPluginAsync {
  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    app.post('/reports', { schema: { body: SubmitReportSchema } }, async (request, reply) => {
      const input = request.body;
      const answer = await submitReport(deps, input, eventContextOf(request, input.reason));
      if (!answer.duplicate) deps.nudgeRelay();
      const { duplicate: _d, ...body } = answer;
      return reply.status(202).send(body);
    });
  };
}
