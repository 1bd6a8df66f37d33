import { neutralizeFormula, restoreNeutralized, type CellValue, type RawValue } from '@tally/core';
import ExcelJS from 'exceljs';

/**
 * The one codec of spreadsheet cells for every XLSX the platform writes or reads (data entry forms, the catalog
 * workbook): text is written through neutralizeFormula (a name or a value never runs as a formula) and read back
 * without the guard's apostrophe, NFC.
 */
export const cellOf = (v: CellValue): ExcelJS.CellValue => (typeof v === 'string' ? neutralizeFormula(v) : (v ?? null));

/** A cell as a value: text, number or boolean; undefined when empty; a problem for errors and uncomputed formulas. */
export function rawOf(v: ExcelJS.CellValue): RawValue | undefined | { problem: string } {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const t = restoreNeutralized(v.trim()).normalize('NFC');
    return t === '' ? undefined : t;
  }
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if ('richText' in v) return rawOf(v.richText.map((p) => p.text).join(''));
  if ('hyperlink' in v) return rawOf(v.text);
  if ('error' in v) return { problem: `the cell holds the error ${v.error}` };
  if ('result' in v || 'formula' in v || 'sharedFormula' in v) {
    const result = (v as { result?: unknown }).result;
    if (result === undefined) return { problem: 'the cell holds a formula without a computed value' };
    return rawOf(result as ExcelJS.CellValue);
  }
  return { problem: 'the cell holds an unsupported value' };
}

/** A cell as text (trimmed, NFC, the formula guard's apostrophe removed), or undefined when empty. */
export function textOf(v: ExcelJS.CellValue): string | undefined {
  const raw = rawOf(v);
  if (raw === undefined || typeof raw === 'object') return undefined;
  return String(raw);
}
