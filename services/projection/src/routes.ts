import { TallyError } from '@tally/contracts';
import type { Collection, Filter } from '@tally/readstore';
import type { FastifyPluginAsync } from 'fastify';
import type { ReportViewDoc } from './report-view';

const REPORT_ID = '^report-[A-Z][A-Z0-9_]*-[0-9A-Z]+-[0-9SQ]+$';

export function projectionRoutes(deps: { reports: Collection<ReportViewDoc> }): FastifyPluginAsync {
  return async (app) => {
    app.get('/reports/:reportId', { schema: { params: { type: 'object', required: ['reportId'], properties: { reportId: { type: 'string', pattern: REPORT_ID, maxLength: 100 } } } } }, async (request) => {
      const { reportId } = request.params as { reportId: string };
      const report = await deps.reports.get(reportId);
      if (!report) throw new TallyError('REPORT_NOT_FOUND', `no report ${reportId}`);
      const { _id, ...view } = report;
      return view;
    });

    app.get(
      '/reports',
      {
        schema: {
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              orgUnit: { type: 'string', pattern: '^(VN|[0-9]{2,5})$' },
              period: { type: 'string', maxLength: 8 },
              template: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{0,63}$' },
              status: { type: 'string', enum: ['submitted', 'returned', 'approved', 'locked'] },
              limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
            },
          },
        },
      },
      async (request) => {
        const q = request.query as Record<string, string | undefined>;
        const filter: Filter = {};
        for (const k of ['orgUnit', 'period', 'template', 'status'] as const) if (q[k]) filter[k] = q[k]!;
        const rows = await deps.reports.find(filter, { sort: { reportId: 1 }, limit: Math.min(Number(q.limit ?? 100), 1000) });
        return rows.map(({ _id, history: _h, values: _v, ...summary }) => summary);
      },
    );
  };
}
