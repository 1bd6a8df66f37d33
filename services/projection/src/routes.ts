import { TallyError, type HierarchyQuery } from '@tally/contracts';
import type { Collection, Filter } from '@tally/readstore';
import { Code, DigitsParam, OneOf, OrgUnitCode, PositionParam, ReportId, Strict, Type, type TypeBoxTypeProvider } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import type { ReportViewDoc } from './report-view';
import { subtreeReports } from './subtree-reports';

const ReportParams = Type.Object({ reportId: ReportId });
/** `after`: a position from a POST (a submission, an approval): the view answers once it reflects it */
const ReportQuery = Strict({ after: Type.Optional(PositionParam) });
const ReportsQuery = Type.Object(
  {
    orgUnit: Type.Optional(OrgUnitCode),
    period: Type.Optional(Type.String({ maxLength: 8 })),
    template: Type.Optional(Code),
    status: Type.Optional(OneOf(['submitted', 'returned', 'approved', 'locked'])),
    limit: Type.Optional(DigitsParam(4)),
    /** true: the reports of orgUnit's whole subtree (subtree-reports.ts), paginated with `after` */
    subtree: Type.Optional(OneOf(['true', 'false'])),
    /** a reportId: the page starts after it (the previous page's `x-next-after`) */
    after: Type.Optional(ReportId),
  },
  { additionalProperties: false },
);

export interface ProjectionRouteDeps {
  reports: Collection<ReportViewDoc>;
  hierarchy?: HierarchyQuery;
  /** true once the report views reflect every event up to a position, false after the read-your-writes timeout */
  caughtUp: (position: number) => Promise<boolean>;
}

export function projectionRoutes(deps: ProjectionRouteDeps): FastifyPluginAsync {
  return async (plain) => {
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/reports/:reportId', { schema: { params: ReportParams, querystring: ReportQuery } }, async (request) => {
      const { reportId } = request.params;
      const after = request.query.after === undefined ? undefined : Number(request.query.after);
      if (after !== undefined && !(await deps.caughtUp(after))) {
        throw new TallyError('NOT_CAUGHT_UP', `report views have not yet applied position ${after}; retry shortly`, { after });
      }
      const report = await deps.reports.get(reportId);
      if (!report) throw new TallyError('REPORT_NOT_FOUND', `no report ${reportId}`);
      const { _id, ...view } = report;
      return view;
    });

    app.get('/reports', { schema: { querystring: ReportsQuery } }, async (request, reply) => {
      const q = request.query;
      const limit = Math.min(Number(q.limit ?? 100), 1000);
      const summary = ({ _id, history: _h, values: _v, ...rest }: ReportViewDoc) => rest;
      if (q.subtree === 'true') {
        if (!deps.hierarchy) throw new TallyError('INVALID_REQUEST', 'subtree listing needs the hierarchy, which this process does not have');
        const page = await subtreeReports(
          { reports: deps.reports, hierarchy: deps.hierarchy },
          { orgUnit: q.orgUnit ?? 'VN', limit, ...(q.period ? { period: q.period } : {}), ...(q.template ? { template: q.template } : {}), ...(q.status ? { status: q.status } : {}), ...(q.after ? { after: q.after } : {}) },
        );
        reply.header('x-hierarchy', page.hierarchy);
        if (page.next) reply.header('x-next-after', page.next);
        return page.reports.map(summary);
      }
      const filter: Filter = {};
      for (const k of ['orgUnit', 'period', 'template', 'status'] as const) if (q[k]) filter[k] = q[k]!;
      const rows = await deps.reports.find(filter, { sort: { reportId: 1 }, limit: q.after ? 100_000 : limit + 1 });
      const page = (q.after ? rows.filter((r) => r.reportId > q.after!) : rows).slice(0, limit + 1);
      if (page.length > limit) reply.header('x-next-after', page[limit - 1]!.reportId);
      return page.slice(0, limit).map(summary);
    });
  };
}
