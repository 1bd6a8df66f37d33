import type { RawValue } from '@tally/core';

/** Where a value or a report came from in the file, for its conflicts. */
export interface Origin {
  /** 0-based index of the value among the file's data values */
  index?: number;
  /** 1-based row (CSV line, sheet row) */
  row?: number;
  cell?: string;
  sheet?: string;
}

export interface ImportedValue {
  dataElement: string;
  /** absent: the element's total */
  optionCombo?: string;
  raw: RawValue;
  comment?: string;
  origin: Origin;
}

/** One (template, unit, period) of a file: it becomes one submission, or one amendment when the report exists. */
export interface ImportedReportInput {
  template: string;
  orgUnit: string;
  period: string;
  values: ImportedValue[];
  /** the amendment's reason given in the file itself (a reason cell); else the request's */
  reason?: string;
  /** the report version the file was made from (a form's reportVersion cell): a report changed since is a conflict */
  basedOnVersion?: number;
  origin: Origin;
}

/** DHIS2's import strategies. */
export const IMPORT_STRATEGIES = ['CREATE_AND_UPDATE', 'CREATE', 'UPDATE', 'DELETE'] as const;
export type ImportStrategy = (typeof IMPORT_STRATEGIES)[number];
