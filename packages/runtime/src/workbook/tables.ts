import { TallyError } from '@tally/contracts';
import type { ReadCell, SheetCell, SheetTable } from '@tally/core';
import ExcelJS from 'exceljs';
import { cellOf, rawOf } from './cells';

/** A sheet as a table: rows[0] is the header row (row 1). A read cell is a value, null, or what made it unreadable. */
export type WorkbookTable<C = ReadCell> = SheetTable<C>;

export interface TableLimits {
  maxSheets: number;
  maxRows: number;
  maxColumns: number;
}

/** A workbook of plain tables: bold header row, frozen below it, every text cell through the one cell codec. */
export async function writeTables(tables: ReadonlyArray<WorkbookTable<SheetCell>>): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Tally';
  for (const t of tables) {
    const sheet = workbook.addWorksheet(t.name);
    t.rows.forEach((values, r) => {
      const row = sheet.getRow(r + 1);
      values.forEach((v, c) => (row.getCell(c + 1).value = cellOf(v)));
    });
    sheet.getRow(1).font = { bold: true };
    sheet.views = [{ state: 'frozen', ySplit: 1 }];
    sheet.columns.forEach((col) => (col.width = 20));
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Every sheet of a workbook as a table; what is not a workbook, or one beyond the limits, is 400 INVALID_FILE. */
export async function readTables(body: Buffer, limits: TableLimits): Promise<WorkbookTable[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(body as unknown as ExcelJS.Buffer);
  } catch (err) {
    throw new TallyError('INVALID_FILE', `the body is not an XLSX workbook: ${(err as Error).message.slice(0, 200)}`);
  }
  if (workbook.worksheets.length > limits.maxSheets) throw new TallyError('INVALID_FILE', `a workbook may have at most ${limits.maxSheets} sheets`);
  return workbook.worksheets.map((sheet) => {
    if (sheet.rowCount > limits.maxRows) throw new TallyError('INVALID_FILE', `sheet ${sheet.name} has more than ${limits.maxRows} rows`);
    if (sheet.columnCount > limits.maxColumns) throw new TallyError('INVALID_FILE', `sheet ${sheet.name} has more than ${limits.maxColumns} columns`);
    const rows: ReadCell[][] = [];
    for (let r = 1; r <= sheet.rowCount; r++) {
      const row = sheet.getRow(r);
      const cells: ReadCell[] = [];
      for (let c = 1; c <= sheet.columnCount; c++) cells.push(rawOf(row.getCell(c).value) ?? null);
      rows.push(cells);
    }
    return { name: sheet.name, rows };
  });
}
