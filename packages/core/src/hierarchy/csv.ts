/**
 * A small, defensive CSV reader (RFC 4180): comma separated, fields may be quoted with `"` and
 * contain commas, newlines and doubled quotes (`""`). Accepts `\n` and `\r\n`, strips a UTF-8 BOM,
 * skips blank lines. Pure: takes the file's text, not a path.
 */
import { DomainError } from '../errors';

/** Splits CSV text into records of raw fields. Throws DomainError('INVALID_REQUEST') on an unterminated quote. */
export function parseCsvRecords(text: string): string[][] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let inQuotes = false;
  let fieldStarted = false; // distinguishes an empty line from a line with one empty field
  let line = 1;
  let quoteLine = 0;
  const endRecord = (): void => {
    if (fieldStarted || record.length > 0) {
      record.push(field);
      records.push(record);
    }
    record = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i] as string;
    if (inQuotes) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"') {
      // a quote opens a quoted section; a stray quote inside an unquoted field is kept literally
      if (field.length === 0) {
        inQuotes = true;
        quoteLine = line;
      } else {
        field += ch;
      }
      fieldStarted = true;
    } else if (ch === ',') {
      record.push(field);
      field = '';
      fieldStarted = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      line++;
      endRecord();
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (inQuotes) throw new DomainError('INVALID_REQUEST', `CSV: unterminated quoted field starting on line ${quoteLine}`, { line: quoteLine });
  endRecord();
  return records;
}

/**
 * Parses CSV text with a header row into objects keyed by column name (header names trimmed).
 * Throws DomainError('INVALID_REQUEST') if a required column is missing.
 * Every field value is trimmed and NFC-normalised. Missing trailing fields are ''.
 */
export function parseCsvObjects(text: string, requiredColumns: readonly string[] = []): { header: string[]; rows: Array<Record<string, string>> } {
  const records = parseCsvRecords(text);
  const headerRec = records[0];
  if (!headerRec) throw new DomainError('INVALID_REQUEST', 'CSV: empty file (no header row)');
  const header = headerRec.map((h) => h.trim());
  for (const col of requiredColumns) {
    if (!header.includes(col)) throw new DomainError('INVALID_REQUEST', `CSV: missing column "${col}" (header: ${header.join(',')})`);
  }
  const rows: Array<Record<string, string>> = [];
  for (let r = 1; r < records.length; r++) {
    const rec = records[r] as string[];
    const obj: Record<string, string> = {};
    for (let c = 0; c < header.length; c++) obj[header[c] as string] = (rec[c] ?? '').trim().normalize('NFC');
    rows.push(obj);
  }
  return { header, rows };
}
