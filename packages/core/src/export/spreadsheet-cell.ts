/**
 * The one writer of text cells for every file a person may open in a spreadsheet (CSV, XLSX, open data,
 * audit exports). Text that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or
 * a carriage return) is prefixed with an apostrophe (OWASP "CSV injection"); numbers and booleans are written
 * as they are, so that `-5` stays a number.
 */
export type CellValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/** The text a spreadsheet shows for a user-controlled string, never a formula. */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** One RFC 4180 CSV field: formula-safe, quoted when it holds a quote, comma or line break. */
export function csvField(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const safe = neutralizeFormula(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One CSV record (no line terminator). */
export function csvRow(values: readonly CellValue[]): string {
  return values.map(csvField).join(',');
}

export interface CsvOptions {
  /** Start with a UTF-8 byte order mark, so that Excel reads Vietnamese text as UTF-8. */
  bom?: boolean;
}

/** A whole CSV document, CRLF line ends as RFC 4180 asks. */
export function toCsv(header: readonly string[], rows: readonly (readonly CellValue[])[], opts: CsvOptions = {}): string {
  const lines = [csvRow(header), ...rows.map(csvRow)];
  return (opts.bom ? '\uFEFF' : '') + lines.join('\r\n') + '\r\n';
}
