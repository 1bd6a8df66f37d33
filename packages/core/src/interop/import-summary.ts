/**
 * DHIS2-shaped import summaries: what every import (dataValueSets in JSON, CSV or ADX, XLSX forms) answers.
 * Counts are of data values, as DHIS2 counts them; each conflict names the object, the value and where it was
 * (row of a CSV, index of a JSON value, sheet and cell of a workbook).
 */
export type ImportStatus = 'SUCCESS' | 'WARNING' | 'ERROR';

export interface ImportCount {
  imported: number;
  updated: number;
  ignored: number;
  deleted: number;
}

export interface ImportConflict {
  /** what the conflict is about: a data element (ELEMENT or ELEMENT.COMBO), a report id, an org unit... */
  object: string;
  /** the offending value, or a description of it */
  value: string;
  /** the error code, one of the API's codes (docs/api.md) */
  errorCode: string;
  /** rows or indexes of the values concerned, 0-based within the file's data values (CSV: data row, header excluded) */
  indexes?: number[];
  /** 1-based row of the file (CSV line, sheet row) */
  row?: number;
  /** A1 reference of the cell in a workbook */
  cell?: string;
  /** the sheet of a workbook */
  sheet?: string;
}

/** What happened to one (template, unit, period): a submission, an amendment, or nothing. */
export interface ImportedReport {
  reportId: string;
  action: 'submitted' | 'amended' | 'unchanged' | 'refused';
  version?: number;
  position?: number;
}

export interface ImportSummary {
  responseType: 'ImportSummary';
  status: ImportStatus;
  description: string;
  dryRun: boolean;
  importCount: ImportCount;
  conflicts: ImportConflict[];
  /** one entry per (template, unit, period) the file touched */
  reports: ImportedReport[];
}

/** At most this many conflicts are listed (the counts stay exact); a broken 100,000-row file must not answer 100,000 conflicts. */
export const MAX_LISTED_CONFLICTS = 1000;

export class ImportSummaryBuilder {
  private readonly count: ImportCount = { imported: 0, updated: 0, ignored: 0, deleted: 0 };
  private readonly conflicts: ImportConflict[] = [];
  private readonly reports: ImportedReport[] = [];
  private conflictTotal = 0;
  /** values ignored because of a conflict (the rest of `ignored` were unchanged values) */
  private refusedValues = 0;

  constructor(private readonly dryRun: boolean) {}

  /** values imported, updated, deleted, or ignored because they were unchanged */
  add(counts: Partial<ImportCount>): void {
    for (const k of ['imported', 'updated', 'ignored', 'deleted'] as const) this.count[k] += counts[k] ?? 0;
  }

  /** values ignored because of a conflict */
  refused(values: number): void {
    this.refusedValues += values;
    this.count.ignored += values;
  }

  conflict(c: ImportConflict): void {
    this.conflictTotal += 1;
    if (this.conflicts.length < MAX_LISTED_CONFLICTS) this.conflicts.push(c);
  }

  report(r: ImportedReport): void {
    this.reports.push(r);
  }

  get counts(): Readonly<ImportCount> {
    return this.count;
  }

  /**
   * SUCCESS: no conflict. WARNING: conflicts, but some values were applied (or were already there).
   * ERROR: conflicts and nothing else.
   */
  build(): ImportSummary {
    const accepted = this.count.imported + this.count.updated + this.count.deleted + (this.count.ignored - this.refusedValues);
    const status: ImportStatus = this.conflictTotal === 0 ? 'SUCCESS' : accepted > 0 ? 'WARNING' : 'ERROR';
    const listed = this.conflictTotal > this.conflicts.length ? ` (${this.conflicts.length} of ${this.conflictTotal} listed)` : '';
    const verb = this.dryRun ? 'would be' : 'were';
    const description =
      `${this.count.imported} values ${verb} imported, ${this.count.updated} updated, ${this.count.deleted} deleted, ` +
      `${this.count.ignored} ignored; ${this.conflictTotal} conflicts${listed}`;
    return {
      responseType: 'ImportSummary',
      status,
      description,
      dryRun: this.dryRun,
      importCount: { ...this.count },
      conflicts: [...this.conflicts],
      reports: [...this.reports],
    };
  }
}
