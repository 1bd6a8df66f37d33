/**
 * Report lifecycle events: the facts a report stream is made of.
 * Versioned by the envelope's schemaVersion; the type names are stable.
 */
export type Figures = 'estimate' | 'official';

export interface DataValue {
  dataElement: string;
  /** category option combo code (e.g. "KINH_MALE"); absent = the element's total */
  optionCombo?: string;
  value: number | string | boolean;
  /** a note on the value (DHIS2's data value comment); not aggregated */
  comment?: string;
}

export interface ReportKey {
  template: string;
  orgUnit: string;
  period: string;
}

export interface ReportValuesData extends ReportKey {
  reportId: string;
  /** the hierarchy version the unit was resolved in */
  hierarchy: string;
  submissionId: string;
  figures: Figures;
  catalogVersion: string;
  values: DataValue[];
  /** when the values were received, for timeliness */
  submittedAt: string;
  /** sha-256 of the normalized command, so a retried submissionId can be told from a reused one */
  contentHash: string;
}

export type ReportSubmitted = { type: 'tally.report.submitted'; data: ReportValuesData };
export type ReportAmended = { type: 'tally.report.amended'; data: ReportValuesData & { reason: string; replacesVersion: number } };
/**
 * Who acts next on a report after a workflow step, so notifications reach them:
 * approve (a reviewer of `orgUnit` at `level`), lock (the top approval level), amend (the submitting unit).
 */
export interface NextStep {
  action: 'approve' | 'lock' | 'amend';
  /** the unit whose people act next */
  orgUnit: string;
  /** the approval level, for action 'approve' and 'lock' */
  level?: string;
}

/** What every workflow event carries besides its own fields: the report's key, and who acts next (null: nobody). */
export interface ReportWorkflowData extends ReportKey {
  reportId: string;
  hierarchy: string;
  next: NextStep | null;
}

export type ReportReturned = { type: 'tally.report.returned'; data: ReportWorkflowData & { level: string; reason: string } };
export type ReportApproved = { type: 'tally.report.approved'; data: ReportWorkflowData & { level: string; /** true when this was the last configured level */ final: boolean } };
export type ReportLocked = { type: 'tally.report.locked'; data: ReportWorkflowData };
export type ReportUnlocked = { type: 'tally.report.unlocked'; data: ReportWorkflowData & { reason: string } };

export type ReportEvent = ReportSubmitted | ReportAmended | ReportReturned | ReportApproved | ReportLocked | ReportUnlocked;

export const REPORT_EVENT_TYPES = [
  'tally.report.submitted',
  'tally.report.amended',
  'tally.report.returned',
  'tally.report.approved',
  'tally.report.locked',
  'tally.report.unlocked',
] as const;

/** Stream id of a report: one stream per (template, unit, period). Codes are [A-Z0-9_] so '-' is a safe separator. */
export function reportStreamId(key: ReportKey): string {
  return `report-${key.template}-${key.orgUnit}-${key.period}`;
}

export function parseReportStreamId(id: string): ReportKey | null {
  const m = /^report-([A-Z][A-Z0-9_]*)-([0-9A-Z]+)-([0-9SQ]+)$/.exec(id);
  if (!m) return null;
  return { template: m[1]!, orgUnit: m[2]!, period: m[3]! };
}
