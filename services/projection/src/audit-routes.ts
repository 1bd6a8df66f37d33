import { TallyError } from '@tally/contracts';
import type { EventStore } from '@tally/eventstore';
import type { FastifyPluginAsync } from 'fastify';
import { auditCsv, auditOfValue, auditTrail } from './audit-trail';

const REPORT_ID = '^report-[A-Z][A-Z0-9_]*-[0-9A-Z]+-[0-9SQ]+$';
const CODE = '^[A-Z][A-Z0-9_]{0,63}$';

/**
 * GET /reports/{reportId}/audit[?format=csv][&dataElement=X[&optionCombo=Y]]: read from the event store, not a
 * read model, so it is complete and current the moment a command is acknowledged.
 */
export function auditRoutes(deps: { store: EventStore }): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/reports/:reportId/audit',
      {
        schema: {
          params: { type: 'object', required: ['reportId'], properties: { reportId: { type: 'string', pattern: REPORT_ID, maxLength: 100 } } },
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { format: { type: 'string', enum: ['json', 'csv'] }, dataElement: { type: 'string', pattern: CODE }, optionCombo: { type: 'string', pattern: CODE } },
          },
        },
      },
      async (request, reply) => {
        const { reportId } = request.params as { reportId: string };
        const q = request.query as { format?: 'json' | 'csv'; dataElement?: string; optionCombo?: string };
        const events = await deps.store.readStream(reportId);
        if (events.length === 0) throw new TallyError('REPORT_NOT_FOUND', `no report ${reportId}`);
        let entries = auditTrail(events);
        if (q.dataElement) entries = auditOfValue(entries, q.dataElement, q.optionCombo);
        if (q.format === 'csv') {
          return reply
            .header('content-type', 'text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="${reportId}-audit.csv"`)
            .send(auditCsv(entries));
        }
        return { reportId, entries };
      },
    );
  };
}
