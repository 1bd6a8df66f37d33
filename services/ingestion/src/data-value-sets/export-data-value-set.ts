import { Readable } from 'node:stream';
import { TallyError } from '@tally/contracts';
import { CatalogIds, parsePeriod, reportDataValues, uidOf, type IdScheme, type IdSchemeParam } from '@tally/core';
import type { ImportDeps } from '../import/apply-report';
import { readReportWithMeta } from '../import/report-state';
import { reportingUnitsUnder } from '../import/reporting-units';
import { OrgUnitIds } from './org-unit-ids';
import { EXPORT_CONTENT_TYPES, writeDataValues, type ExportFormat, type ExportedReport } from './write-data-values';

/** Most units one export may list (children=true on a province is ~100 communes; on VN ~10,000). */
export const MAX_EXPORT_UNITS = 20_000;

export interface DataValueSetExportRequest {
  dataSet: string;
  period: string;
  orgUnit: string;
  children?: 'true' | 'false';
  idScheme: IdSchemeParam;
  format: ExportFormat;
  /** the caller's org unit: a unit outside it is refused */
  scope?: string;
}

/**
 * `GET /dataValueSets`: a template's reports for a unit (children=true: every reporting unit under it), streamed in
 * DHIS2's JSON, CSV or ADX, with the file name to offer.
 */
export async function exportDataValueSet(
  deps: ImportDeps,
  q: DataValueSetExportRequest,
): Promise<{ contentType: string; filename: string; body: Readable }> {
  const { format, scope } = q;
  const idScheme: IdScheme = q.idScheme === 'uid' ? 'uid' : 'code';
  const period = parsePeriod(q.period);
  if (!period) throw new TallyError('INVALID_PERIOD', `invalid period ${q.period}`);
  const catalog = await deps.catalog.catalogFor(period.endDate);
  if (!catalog) throw new TallyError('NO_CATALOG', `no catalog is in force for period ${q.period}`);
  const templateCode = catalog.templates.some((t) => t.code === q.dataSet) ? q.dataSet : new CatalogIds(catalog).templates.codeOf(q.dataSet);
  const template = catalog.templates.find((t) => t.code === templateCode);
  if (!template) throw new TallyError('UNKNOWN_TEMPLATE', `unknown data set ${q.dataSet} in catalog ${catalog.version}`);
  const version = await deps.hierarchy.versionFor(period.endDate);
  const unitCode = await new OrgUnitIds(deps.hierarchy).resolve(version, q.orgUnit, 'auto');
  const unit = unitCode ? await deps.hierarchy.unit(version, unitCode) : undefined;
  if (!unit) throw new TallyError('UNKNOWN_ORG_UNIT', `unknown org unit ${q.orgUnit} in hierarchy ${version}`, undefined, 404);
  if (scope && scope !== 'VN' && !(await deps.hierarchy.path(version, unit.code)).includes(scope)) {
    throw new TallyError('FORBIDDEN', `${unit.code} is outside your org unit ${scope}`);
  }
  const units = q.children === 'true' ? await reportingUnitsUnder(deps.hierarchy, version, unit, template.reportingLevel, MAX_EXPORT_UNITS) : [unit];
  async function* reports(): AsyncGenerator<ExportedReport> {
    for (const u of units) {
      const key = { template: template!.code, orgUnit: u.code, period: period!.code };
      const { state, storedBy, lastUpdated } = await readReportWithMeta(deps.store, key);
      if (state.status === 'none') continue;
      yield {
        ...key,
        ...(lastUpdated ? { completeDate: lastUpdated.slice(0, 10) } : {}),
        values: reportDataValues(key, state.values, idScheme, { ...(storedBy ? { storedBy } : {}), ...(lastUpdated ? { lastUpdated } : {}) }),
        combos: state.values.map((v) => ({ dataElement: v.dataElement, ...(v.optionCombo ? { optionCombo: v.optionCombo } : {}) })),
      };
    }
  }
  const id = (kind: Parameters<typeof uidOf>[0], code: string) => (idScheme === 'uid' ? uidOf(kind, code) : code);
  const head = { dataSet: id('dataSet', template.code), period: period.code, orgUnit: id('orgUnit', unit.code) };
  const ext = format === 'adx' ? 'adx.xml' : format;
  return {
    contentType: EXPORT_CONTENT_TYPES[format],
    filename: `${template.code}-${unit.code}-${period.code}.${ext}`,
    body: Readable.from(writeDataValues(format, reports(), { catalog, scheme: idScheme, head })),
  };
}
