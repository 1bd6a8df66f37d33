import { adxPeriodOf, comboParts, csvRow, DHIS2_CSV_COLUMNS, type Catalog, type Dhis2DataValue, type IdScheme } from '@tally/core';

/** The export formats, and the content types that ask for them (Accept) or that they are sent as. */
export type ExportFormat = 'json' | 'csv' | 'adx';
export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'application/csv; charset=utf-8',
  adx: 'application/adx+xml; charset=utf-8',
};

export function exportFormatOf(format: string | undefined, accept: string | undefined): ExportFormat {
  if (format === 'json' || format === 'csv' || format === 'adx') return format;
  const a = (accept ?? '').toLowerCase();
  if (a.includes('adx')) return 'adx';
  if (a.includes('csv')) return 'csv';
  return 'json';
}

/** One report's values, to be written. */
export interface ExportedReport {
  template: string;
  orgUnit: string;
  period: string;
  completeDate?: string;
  values: Dhis2DataValue[];
  /** the report's values by Tally code (for ADX's category attributes) */
  combos: Array<{ dataElement: string; optionCombo?: string }>;
}

/**
 * Writes a data value set as it is read, one report at a time: JSON (DHIS2's dataValueSets shape), CSV (DHIS2's
 * column order, every text cell formula-safe) or ADX (a group per report, disaggregations as category attributes).
 */
export async function* writeDataValues(format: ExportFormat, reports: AsyncIterable<ExportedReport>, ctx: { catalog: Catalog; scheme: IdScheme; head: { dataSet: string; period: string; orgUnit: string } }): AsyncGenerator<string> {
  if (format === 'csv') {
    yield '\uFEFF' + csvRow([...DHIS2_CSV_COLUMNS]) + '\r\n';
    for await (const r of reports) {
      let chunk = '';
      for (const v of r.values) {
        chunk += csvRow([v.dataElement, v.period, v.orgUnit, v.categoryOptionCombo, v.attributeOptionCombo, v.value, v.storedBy ?? '', v.lastUpdated ?? '', v.comment ?? '', String(v.followup)]) + '\r\n';
      }
      yield chunk;
    }
    return;
  }
  if (format === 'json') {
    yield `{"dataSet":${JSON.stringify(ctx.head.dataSet)},"period":${JSON.stringify(ctx.head.period)},"orgUnit":${JSON.stringify(ctx.head.orgUnit)},"dataValues":[`;
    let first = true;
    for await (const r of reports) {
      for (const v of r.values) {
        yield (first ? '' : ',') + JSON.stringify(v);
        first = false;
      }
    }
    yield ']}';
    return;
  }
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<adx xmlns="urn:ihe:qrph:adx:2015" exported="${new Date().toISOString()}">\n`;
  const elements = new Map(ctx.catalog.dataElements.map((e) => [e.code, e]));
  for await (const r of reports) {
    if (r.values.length === 0) continue;
    const head = r.values[0]!;
    let chunk = `  <group orgUnit="${xml(head.orgUnit)}" period="${xml(adxPeriodOf(r.period) ?? r.period)}" dataSet="${xml(head.dataSet)}"${r.completeDate ? ` completeDate="${xml(r.completeDate)}"` : ''}>\n`;
    r.values.forEach((v, i) => {
      const code = r.combos[i]!;
      const combo = code.optionCombo ? elements.get(code.dataElement)?.categoryCombo : undefined;
      const parts = combo && code.optionCombo && ctx.scheme === 'code' ? comboParts(ctx.catalog, combo, code.optionCombo) : undefined;
      const disaggregation = parts
        ? parts.map((p) => ` ${p.category}="${xml(p.option)}"`).join('')
        : code.optionCombo
          ? ` categoryOptionCombo="${xml(v.categoryOptionCombo)}"`
          : '';
      chunk += `    <dataValue dataElement="${xml(v.dataElement)}"${disaggregation} value="${xml(v.value)}"${v.comment ? ` comment="${xml(v.comment)}"` : ''}/>\n`;
    });
    yield chunk + '  </group>\n';
  }
  yield '</adx>\n';
}

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\r/g, '&#13;').replace(/\n/g, '&#10;');
