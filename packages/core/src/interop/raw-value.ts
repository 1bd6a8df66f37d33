import type { ValueType } from '../catalog/types';
import type { DataValue } from '../report/events';

/**
 * A value as files carry it (DHIS2 writes every value as text; a spreadsheet cell may hold a number, a boolean or
 * text) turned into the typed value a report holds. What cannot be read as the element's type is passed on as
 * the text it was, so the submission checks refuse it with their own code (INVALID_VALUE), as for any report.
 */
export type RawValue = string | number | boolean;

const NUMERIC: ReadonlySet<ValueType> = new Set(['INTEGER', 'NUMBER', 'PERCENTAGE', 'MONEY']);
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function typedValue(valueType: ValueType | undefined, raw: RawValue): DataValue['value'] {
  if (valueType === undefined) return raw;
  if (NUMERIC.has(valueType)) {
    if (typeof raw === 'number') return raw;
    if (typeof raw === 'string' && NUMBER_TEXT.test(raw.trim())) return Number(raw.trim());
    return raw;
  }
  if (valueType === 'BOOLEAN') {
    if (typeof raw === 'boolean') return raw;
    const t = String(raw).trim().toLowerCase();
    if (t === 'true' || t === '1') return true;
    if (t === 'false' || t === '0') return false;
    return String(raw);
  }
  return typeof raw === 'string' ? raw : String(raw);
}

/** The text form of a value, as DHIS2 files and conflicts write it. */
export function valueText(value: DataValue['value']): string {
  return typeof value === 'string' ? value : String(value);
}

/**
 * A text cell read back from a spreadsheet Tally wrote: `neutralizeFormula` prefixed text that looked like a
 * formula with an apostrophe; the apostrophe goes again so text round-trips unchanged.
 */
export function restoreNeutralized(text: string): string {
  return /^'[=+\-@\t\r]/.test(text) ? text.slice(1) : text;
}
