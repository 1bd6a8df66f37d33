import { TallyError, grpcService, ReportServiceService, unaryHandler, type GrpcRegistration, type tallyv1 } from '@tally/contracts';
import { reportStreamId } from '@tally/core';
import type { Collection } from '@tally/readstore';
import type { ReportViewDoc } from './report-view';

/** Reports over gRPC: by id, or by (template, org unit, period). */
export function projectionGrpc(reports: Collection<ReportViewDoc>): GrpcRegistration[] {
  return [
    grpcService(ReportServiceService, {
      getReport: unaryHandler(async (req: tallyv1.GetReportRequest) => {
        const id = req.reportId || reportStreamId({ template: req.template, orgUnit: req.orgUnit, period: req.period });
        const r = await reports.get(id);
        if (!r) throw new TallyError('REPORT_NOT_FOUND', `no report ${id}`);
        return {
          report: {
            reportId: r.reportId,
            template: r.template,
            orgUnit: r.orgUnit,
            period: r.period,
            hierarchy: r.hierarchy,
            version: r.version,
            status: r.status,
            figures: r.figures,
            catalogVersion: r.catalogVersion,
            values: r.values.map((v) => ({
              dataElement: v.dataElement,
              ...(v.optionCombo ? { optionCombo: v.optionCombo } : {}),
              value:
                typeof v.value === 'number'
                  ? { $case: 'number' as const, value: v.value }
                  : typeof v.value === 'boolean'
                    ? { $case: 'boolean' as const, value: v.value }
                    : { $case: 'text' as const, value: v.value },
            })),
            submittedAt: r.submittedAt,
            position: r.history.at(-1)?.position ?? 0,
          },
        };
      }),
    }),
  ];
}
