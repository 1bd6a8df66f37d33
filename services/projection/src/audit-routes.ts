import { TallyError } from '@tally/contracts';
import type { EventStore } from '@tally/eventstore';
import { Code, OneOf, ReportId, Type, type TypeBoxTypeProvider } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import { auditCsv, auditOfValue, auditTrail } from './audit-trail';

const AuditParams = Type.Object({ reportId: ReportId });
const AuditQuery = Type.Object(
  { format: Type.Optional(OneOf(['json', 'csv'])), dataElement: Type.Optional(Code), optionCombo: Type.Optional(Code) },
  { additionalProperties: false },
);

/**
 * GET /reports/{reportId}/audit[?format=csv][&dataElement=X[&optionCombo=Y]]: read from the event store, not a
 * read model, so it is complete and current the moment a command is acknowledged.
 */
export function auditRoutes(deps: { store: EventStore }): FastifyPluginAsync {
  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/reports/:reportId/audit',
      { schema: { params: AuditParams, querystring: AuditQuery } },
      async (request, reply) => {
        const { reportId } = request.params;
        const q = request.query;
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
