import { TallyError } from '@tally/contracts';
import type { Collection, Filter } from '@tally/readstore';
import { Code, DigitsParam, OneOf, OrgUnitCode, ReportId, Type, type TypeBoxTypeProvider } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import type { ReportViewDoc } from './report-view';

const ReportParams = Type.Object({ reportId: ReportId });
const ReportsQuery = Type.Object(
  {
    orgUnit: Type.Optional(OrgUnitCode),
    period: Type.Optional(Type.String({ maxLength: 8 })),
    template: Type.Optional(Code),
    status: Type.Optional(OneOf(['submitted', 'returned', 'approved', 'locked'])),
    limit: Type.Optional(DigitsParam(4)),
  },
  { additionalProperties: false },
);

export function projectionRoutes(deps: { reports: Collection<ReportViewDoc> }): FastifyPluginAsync {
  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/reports/:reportId', { schema: { params: ReportParams } }, async (request) => {
      const { reportId } = request.params;
      const report = await deps.reports.get(reportId);
      if (!report) throw new TallyError('REPORT_NOT_FOUND', `no report ${reportId}`);
      const { _id, ...view } = report;
      return view;
    });

    app.get('/reports', { schema: { querystring: ReportsQuery } }, async (request) => {
      const q = request.query;
      const filter: Filter = {};
      for (const k of ['orgUnit', 'period', 'template', 'status'] as const) if (q[k]) filter[k] = q[k]!;
      const rows = await deps.reports.find(filter, { sort: { reportId: 1 }, limit: Math.min(Number(q.limit ?? 100), 1000) });
      return rows.map(({ _id, history: _h, values: _v, ...summary }) => summary);
    });
  };
}
