import type { CatalogQuery, HierarchyQuery } from '@tally/contracts';
import type { EventStore } from '@tally/eventstore';
import { eventContextOf } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import { submitReportSchema } from './report-schema';
import { submitReport, type SubmitReportInput } from './submit-report';

export function ingestionRoutes(deps: { store: EventStore; catalog: CatalogQuery; hierarchy: HierarchyQuery; nudgeRelay: () => void }): FastifyPluginAsync {
  return async (app) => {
    app.post('/reports', { schema: { body: submitReportSchema } }, async (request, reply) => {
      const input = request.body as SubmitReportInput;
      const answer = await submitReport(deps, input, eventContextOf(request, input.reason));
      if (!answer.duplicate) deps.nudgeRelay();
      const { duplicate: _d, ...body } = answer;
      return reply.status(202).send(body);
    });
  };
}
