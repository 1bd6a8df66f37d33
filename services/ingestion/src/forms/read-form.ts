import { TallyError } from '@tally/contracts';
import type { ImportConflict } from '@tally/core';
import { rawOf, textOf } from '@tally/runtime';
import ExcelJS from 'exceljs';
import type { ImportedReportInput, ImportedValue } from '../import/imported-report';
import { COLUMNS, META_KEYS, type Column, type MetaKey } from './form-sheet';

/** Limits of a workbook upload (the byte size is limited before: TALLY_IMPORT_LIMIT_BYTES). */
export const MAX_SHEETS = 2000;
export const MAX_ROWS_PER_SHEET = 20_000;

export interface ReadForms {
  reports: ImportedReportInput[];
  /** problems found while reading (a sheet without its keys, a cell that is not a value) */
  conflicts: Array<ImportConflict & { values: number }>;
}

/**
 * Reads a workbook written by `writeFormWorkbook` (or filled by hand in its layout): each sheet is one report.
 * Empty value cells are no value; a sheet with no value at all is skipped (a reviewer's workbook has a sheet per
 * unit, filled for some). Refuses what is not a workbook with INVALID_FILE.
 */
export async function readFormWorkbook(body: Buffer): Promise<ReadForms> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(body as unknown as ExcelJS.Buffer);
  } catch (err) {
    throw new TallyError('INVALID_FILE', `the body is not an XLSX workbook: ${(err as Error).message.slice(0, 200)}`);
  }
  if (workbook.worksheets.length > MAX_SHEETS) throw new TallyError('INVALID_FILE', `a workbook may have at most ${MAX_SHEETS} sheets`);
  const out: ReadForms = { reports: [], conflicts: [] };
  let index = 0;
  for (const sheet of workbook.worksheets) {
    if (sheet.rowCount > MAX_ROWS_PER_SHEET) throw new TallyError('INVALID_FILE', `sheet ${sheet.name} has more than ${MAX_ROWS_PER_SHEET} rows`);
    const meta: Partial<Record<MetaKey, string>> = {};
    let headerRow = 0;
    const columns = new Map<Column, number>();
    for (let r = 1; r <= Math.min(sheet.rowCount, 50) && headerRow === 0; r++) {
      const row = sheet.getRow(r);
      const key = textOf(row.getCell(1).value);
      if ((META_KEYS as readonly string[]).includes(key ?? '')) {
        const v = textOf(row.getCell(2).value);
        if (v !== undefined) meta[key as MetaKey] = v;
      } else if (key === 'dataElement') {
        headerRow = r;
        row.eachCell((c, col) => {
          const name = textOf(c.value);
          if ((COLUMNS as readonly string[]).includes(name ?? '')) columns.set(name as Column, col);
        });
      }
    }
    const valueCol = columns.get('value');
    if (!headerRow || !valueCol || !meta.template || !meta.orgUnit || !meta.period) {
      out.conflicts.push({ object: sheet.name, value: 'the sheet has no template, orgUnit, period cells or no dataElement/value header', errorCode: 'INVALID_FILE', sheet: sheet.name, values: 0 });
      continue;
    }
    const values: ImportedValue[] = [];
    const comboCol = columns.get('optionCombo');
    const commentCol = columns.get('comment');
    for (let r = headerRow + 1; r <= sheet.rowCount; r++) {
      const row = sheet.getRow(r);
      const element = textOf(row.getCell(1).value);
      if (!element) continue;
      const valueCell = row.getCell(valueCol);
      const raw = rawOf(valueCell.value);
      if (raw === undefined) continue;
      const origin = { index: index++, row: r, cell: valueCell.address, sheet: sheet.name };
      if (typeof raw === 'object') {
        out.conflicts.push({ object: element, value: raw.problem, errorCode: 'INVALID_VALUE', row: r, cell: valueCell.address, sheet: sheet.name, indexes: [origin.index], values: 1 });
        continue;
      }
      const combo = comboCol ? textOf(row.getCell(comboCol).value) : undefined;
      const comment = commentCol ? textOf(row.getCell(commentCol).value) : undefined;
      values.push({ dataElement: element, ...(combo ? { optionCombo: combo } : {}), raw, ...(comment ? { comment } : {}), origin });
    }
    if (values.length === 0) continue;
    out.reports.push({
      template: meta.template,
      orgUnit: meta.orgUnit,
      period: meta.period,
      values,
      ...(meta.reason ? { reason: meta.reason } : {}),
      ...(meta.reportVersion !== undefined && /^\d+$/.test(meta.reportVersion) ? { basedOnVersion: Number(meta.reportVersion) } : {}),
      origin: { sheet: sheet.name },
    });
  }
  return out;
}
