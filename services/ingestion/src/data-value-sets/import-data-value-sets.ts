import type { Readable } from 'node:stream';
import type { EventContext } from '@tally/contracts';
import { CatalogIds, ImportSummaryBuilder, parsePeriod, resolveDataValue, type IdSchemeParam, type ImportSummary, type RawDataValue } from '@tally/core';
import { importReport, ImportLookups, type ImportDeps } from '../import/apply-report';
import type { ImportStrategy } from '../import/imported-report';
import type { ImportProgress } from './import-progress';
import { OrgUnitIds } from './org-unit-ids';
import { readDataValues, type DataValueFormat } from './read-data-values';
import { ImportSpool } from './spool';

export interface DataValueSetImport {
  format: DataValueFormat;
  body: Buffer | Readable;
  dryRun: boolean;
  strategy: ImportStrategy;
  scheme: IdSchemeParam;
  orgUnitScheme: IdSchemeParam;
  /** request defaults, under what the file says */
  dataSet?: string;
  period?: string;
  orgUnit?: string;
  reason?: string;
  scope?: string;
  ctx: EventContext;
}

/**
 * Imports a DHIS2 data value set (JSON, CSV, ADX or DXF2 XML): reads it as it streams in, resolves each value's
 * identifiers (a value that cannot be resolved is a conflict), sets the values aside by report, then imports one
 * report at a time through `importReport` (the checks of POST /reports; merge: the file's values over the
 * report's). `progress` is updated as it goes.
 */
export async function importDataValueSet(deps: ImportDeps, input: DataValueSetImport, progress: ImportProgress): Promise<ImportSummary> {
  const summary = new ImportSummaryBuilder(input.dryRun);
  const lookups = new ImportLookups(deps);
  const units = new OrgUnitIds(deps.hierarchy);
  const ids = new Map<string, CatalogIds>();
  const spool = new ImportSpool();
  try {
    for await (const batch of readDataValues(input.format, input.body)) {
      for (const raw of batch) {
        const resolved = await resolve(raw);
        progress.valuesRead += 1;
        if ('conflict' in resolved) {
          summary.conflict(resolved.conflict);
          summary.refused(1);
          continue;
        }
        if (resolved.value.raw === undefined && input.strategy !== 'DELETE') {
          summary.add({ ignored: 1 }); // DHIS2 ignores a value without a value
          continue;
        }
        spool.add(resolved.key, resolved.value);
      }
    }
    progress.phase = 'importing';
    const { keys } = spool.reports();
    progress.reportsTotal = keys.length;
    for (const key of keys) {
      const values = spool.valuesOf(key);
      await importReport(
        lookups,
        {
          ...key,
          values: values.map((v) => ({
            dataElement: v.dataElement,
            ...(v.optionCombo ? { optionCombo: v.optionCombo } : {}),
            raw: v.raw ?? '',
            ...(v.comment ? { comment: v.comment } : {}),
            origin: { index: v.index, ...(v.row === undefined ? {} : { row: v.row }) },
          })),
          origin: { ...(values[0]?.row === undefined ? {} : { row: values[0].row }) },
        },
        {
          dryRun: input.dryRun,
          strategy: input.strategy,
          mode: 'merge',
          ...(input.reason ? { reason: input.reason } : {}),
          ...(input.scope ? { scope: input.scope } : {}),
          ctx: input.ctx,
        },
        summary,
      );
      progress.reportsDone += 1;
    }
    return summary.build();
  } finally {
    spool.close();
  }

  async function resolve(raw: RawDataValue) {
    const at = { indexes: [raw.index], ...(raw.row === undefined ? {} : { row: raw.row }) };
    const periodCode = raw.period ?? input.period;
    const orgUnitId = raw.orgUnit ?? input.orgUnit;
    if (!raw.dataElement) return { conflict: { object: '', value: 'the value names no data element', errorCode: 'INVALID_REQUEST', ...at } };
    const period = periodCode ? parsePeriod(periodCode) : null;
    if (!period) return { conflict: { object: periodCode ?? '', value: `invalid or missing period ${periodCode ?? ''}`.trim(), errorCode: 'INVALID_PERIOD', ...at } };
    if (!orgUnitId) return { conflict: { object: '', value: 'the value names no org unit', errorCode: 'UNKNOWN_ORG_UNIT', ...at } };
    const catalog = await lookups.catalogFor(period.endDate);
    if (!catalog) return { conflict: { object: period.code, value: `no catalog is in force for period ${period.code}`, errorCode: 'NO_CATALOG', ...at } };
    let catalogIds = ids.get(catalog.version);
    if (!catalogIds) ids.set(catalog.version, (catalogIds = new CatalogIds(catalog)));
    const r = resolveDataValue(raw, { ids: catalogIds, scheme: input.scheme, periodType: period.type, dataSet: input.dataSet });
    if ('conflict' in r) return r;
    const version = await lookups.hierarchyFor(period.endDate);
    const orgUnit = await units.resolve(version, orgUnitId, input.orgUnitScheme);
    if (!orgUnit) return { conflict: { object: orgUnitId, value: `unknown org unit ${orgUnitId} in hierarchy ${version}`, errorCode: 'UNKNOWN_ORG_UNIT', ...at } };
    return {
      key: { template: r.template, orgUnit, period: period.code },
      value: {
        dataElement: r.dataElement,
        ...(r.optionCombo ? { optionCombo: r.optionCombo } : {}),
        ...(r.value === undefined ? {} : { raw: r.value }),
        ...(r.comment ? { comment: r.comment } : {}),
        index: raw.index,
        ...(raw.row === undefined ? {} : { row: raw.row }),
      },
    };
  }
}
