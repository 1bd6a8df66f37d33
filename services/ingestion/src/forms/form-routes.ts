import { TallyError } from '@tally/contracts';
import { ImportSummaryBuilder, parsePeriod } from '@tally/core';
import { BooleanParam, Code, OrgUnitCode, Reason, ReportPeriod, Strict, Type, eventContextOf, type TypeBoxTypeProvider } from '@tally/runtime';
import type { FastifyPluginAsync } from 'fastify';
import { importReport, ImportLookups, type ImportDeps } from '../import/apply-report';
import { acceptUploads, uploadedBuffer } from '../import/raw-upload';
import { readReportState } from '../import/report-state';
import { reportingUnitsUnder } from '../import/reporting-units';
import { sendSummary } from '../import/send-summary';
import { XLSX_CONTENT_TYPE } from './form-sheet';
import { readFormWorkbook } from './read-form';
import { writeFormWorkbook, type FormSheet } from './write-form';

/** A reviewer's workbook has one sheet per unit; beyond this many, ask for a lower unit. */
export const MAX_FORM_SHEETS = 1000;

const FormQuery = Strict({ template: Code, orgUnit: OrgUnitCode, period: ReportPeriod, children: Type.Optional(BooleanParam) });
const UploadQuery = Strict({ dryRun: Type.Optional(BooleanParam), reason: Type.Optional(Reason) });

/**
 * XLSX data entry forms: download one pre-filled (the template in force for the period, the report's current
 * values), fill it in a spreadsheet, upload it back; `children=true` gives a workbook with a sheet per reporting
 * unit under a parent unit. An upload answers a DHIS2-shaped import summary.
 */
export function formRoutes(deps: ImportDeps & { nudgeRelay: () => void; importLimitBytes: number }): FastifyPluginAsync {
  return async (plain) => {
    // the workbook is the raw body (its own content-type parser); only the query string has a schema
    acceptUploads(plain, { buffer: [XLSX_CONTENT_TYPE] }, deps.importLimitBytes);
    const app = plain.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/forms/xlsx', { schema: { querystring: FormQuery } }, async (request, reply) => {
      const q = request.query;
      const period = parsePeriod(q.period);
      if (!period) throw new TallyError('INVALID_PERIOD', `invalid period ${q.period}`);
      const catalog = await deps.catalog.catalogFor(period.endDate);
      if (!catalog) throw new TallyError('NO_CATALOG', `no catalog is in force for period ${q.period}`);
      const template = catalog.templates.find((t) => t.code === q.template);
      if (!template) throw new TallyError('UNKNOWN_TEMPLATE', `template ${q.template} is not in catalog ${catalog.version}`);
      if (template.periodType !== period.type) {
        throw new TallyError('PERIOD_TEMPLATE_MISMATCH', `template ${template.code} is reported per ${template.periodType} period; ${q.period} is ${period.type}`);
      }
      const version = await deps.hierarchy.versionFor(period.endDate);
      const unit = await deps.hierarchy.unit(version, q.orgUnit);
      if (!unit) throw new TallyError('UNKNOWN_ORG_UNIT', `unknown org unit ${q.orgUnit} in hierarchy ${version}`);
      let units = [unit];
      if (q.children === 'true') units = await reportingUnitsUnder(deps.hierarchy, version, unit, template.reportingLevel, MAX_FORM_SHEETS);
      else if (unit.level !== template.reportingLevel) {
        throw new TallyError('ORG_UNIT_LEVEL_MISMATCH', `template ${template.code} is reported by ${template.reportingLevel} units; ${unit.code} is a ${unit.level} (ask with children=true)`);
      }
      const sheets: FormSheet[] = [];
      for (const u of units) {
        const state = await readReportState(deps.store, { template: template.code, orgUnit: u.code, period: q.period });
        sheets.push({ template: template.code, orgUnit: u.code, unitName: u.name, period: q.period, reportVersion: state.version, status: state.status, values: state.values });
      }
      const body = await writeFormWorkbook(catalog, sheets);
      const name = `${template.code}-${unit.code}-${q.period}${q.children === 'true' ? '-children' : ''}.xlsx`;
      return reply.header('content-type', XLSX_CONTENT_TYPE).header('content-disposition', `attachment; filename="${name}"`).send(body);
    });

    app.post('/forms/xlsx', { schema: { querystring: UploadQuery }, bodyLimit: deps.importLimitBytes }, async (request, reply) => {
      const q = request.query;
      const body = uploadedBuffer(request, XLSX_CONTENT_TYPE);
      const dryRun = q.dryRun === 'true';
      const read = await readFormWorkbook(body);
      const summary = new ImportSummaryBuilder(dryRun);
      for (const { values, ...c } of read.conflicts) {
        summary.conflict(c);
        summary.refused(values);
      }
      const lookups = new ImportLookups(deps);
      const scope = request.tallyActor?.orgUnit;
      for (const report of read.reports) {
        await importReport(
          lookups,
          report,
          {
            dryRun,
            strategy: 'CREATE_AND_UPDATE',
            mode: 'replace',
            ...(q.reason ? { reason: q.reason } : {}),
            ...(scope ? { scope } : {}),
            ctx: eventContextOf(request),
          },
          summary,
        );
      }
      if (!dryRun) deps.nudgeRelay();
      return sendSummary(reply, summary.build());
    });
  };
}
