import { formRows, type Catalog, type CellValue, type DataValue } from '@tally/core';
import { cellOf as cell } from '@tally/runtime';
import ExcelJS from 'exceljs';
import { COLUMNS, HEADER_ROW, META_KEYS, META_LABELS, sheetNameOf, type MetaKey } from './form-sheet';

/** One unit's sheet: the report key, the unit's name, and the values the report holds now (if any). */
export interface FormSheet {
  template: string;
  orgUnit: string;
  unitName: string;
  period: string;
  reportVersion: number;
  status: string;
  values: readonly DataValue[];
}

/**
 * A pre-filled data entry workbook: one sheet per unit, each the template's rows (data elements x option
 * combinations) with the report's current values filled in.
 */
export async function writeFormWorkbook(catalog: Catalog, sheets: readonly FormSheet[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Tally';
  for (const s of sheets) addSheet(workbook, catalog, s);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function addSheet(workbook: ExcelJS.Workbook, catalog: Catalog, s: FormSheet): void {
  const template = catalog.templates.find((t) => t.code === s.template);
  const rows = formRows(catalog, s.template) ?? [];
  const sheet = workbook.addWorksheet(sheetNameOf(s.orgUnit));
  const meta: Record<MetaKey, [CellValue, CellValue]> = {
    template: [s.template, template?.name],
    orgUnit: [s.orgUnit, s.unitName],
    period: [s.period, null],
    catalogVersion: [catalog.version, catalog.legalBasis],
    reportVersion: [s.reportVersion, s.status],
    reason: [null, META_LABELS.reason],
  };
  META_KEYS.forEach((key, i) => {
    const row = sheet.getRow(i + 1);
    row.getCell(1).value = cell(key);
    row.getCell(2).value = cell(meta[key][0]);
    row.getCell(3).value = cell(key === 'reason' ? meta[key][1] : meta[key][1] ?? META_LABELS[key]);
    row.getCell(1).font = { bold: true };
  });
  const header = sheet.getRow(HEADER_ROW);
  COLUMNS.forEach((c, i) => {
    header.getCell(i + 1).value = cell(c);
    header.getCell(i + 1).font = { bold: true };
  });
  const current = new Map(s.values.map((v) => [`${v.dataElement}.${v.optionCombo ?? ''}`, v]));
  rows.forEach((r, i) => {
    const v = current.get(`${r.dataElement}.${r.optionCombo ?? ''}`);
    const line: Record<(typeof COLUMNS)[number], CellValue> = {
      dataElement: r.dataElement,
      optionCombo: r.optionCombo ?? null,
      name: r.element.name,
      option: r.optionCombo ? r.optionLabel ?? r.optionCombo : r.element.categoryCombo ? 'Tổng (total)' : null,
      valueType: r.element.valueType,
      unit: r.element.unit ?? null,
      value: v?.value ?? null,
      comment: v?.comment ?? null,
    };
    const row = sheet.getRow(HEADER_ROW + 1 + i);
    COLUMNS.forEach((c, j) => (row.getCell(j + 1).value = cell(line[c])));
  });
  sheet.getColumn(1).width = 28;
  sheet.getColumn(2).width = 18;
  sheet.getColumn(3).width = 48;
  sheet.getColumn(4).width = 24;
  sheet.getColumn(7).width = 16;
  sheet.getColumn(8).width = 32;
  sheet.views = [{ state: 'frozen', ySplit: HEADER_ROW }];
}
