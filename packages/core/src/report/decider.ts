import { assertNever, type EventMeta } from '../decider/decider';
import type { SourcedStream } from '../decider/stream';
import { DomainError } from '../errors';
import { REPORT_EVENT_SCHEMA, type DataValue, type Figures, type NextStep, type ReportAmended, type ReportEvent, type ReportKey, type ReportSubmitted, type ReportValuesData, type ReportWorkflowData } from './events';

/**
 * The report lifecycle as a decider: decide(command, state) -> events, evolve(state, event) -> state.
 * Pure: time, ids and catalog checks come in with the command.
 */
export type ReportStatus = 'none' | 'submitted' | 'returned' | 'approved' | 'locked';

export interface SubmissionRecord {
  version: number;
  contentHash: string;
  /** global position of the event that recorded it; known once stored */
  position?: number;
}

export interface ReportState {
  reportId: string | null;
  /** the report's key and the hierarchy version its unit was resolved in (null before the first submission) */
  key: (ReportKey & { hierarchy: string }) | null;
  status: ReportStatus;
  version: number;
  figures: Figures | null;
  values: DataValue[];
  submissions: Record<string, SubmissionRecord>;
  approvals: string[];
}

export const initialReportState = (): ReportState => ({
  reportId: null,
  key: null,
  status: 'none',
  version: 0,
  figures: null,
  values: [],
  submissions: {},
  approvals: [],
});

export type SubmitReport = {
  type: 'SubmitReport';
  data: Omit<ReportValuesData, never> & { reason?: string };
};

/**
 * The approval workflow. Each command carries what the decider cannot look up itself:
 * `levels`, the approval levels configured for the report's template (in order, lowest first, filtered to the
 * levels of the report's hierarchy version), and `ancestors`, the code of the report unit's ancestor at each level.
 */
export interface WorkflowContext {
  levels: string[];
  ancestors: Record<string, string>;
}

export type ApproveReport = { type: 'ApproveReport'; data: WorkflowContext & { level: string } };
export type ReturnReport = { type: 'ReturnReport'; data: WorkflowContext & { level: string; reason: string } };
export type LockReport = { type: 'LockReport'; data: WorkflowContext };
export type UnlockReport = { type: 'UnlockReport'; data: WorkflowContext & { reason: string } };

export type WorkflowCommand = ApproveReport | ReturnReport | LockReport | UnlockReport;
export type ReportCommand = SubmitReport | WorkflowCommand;

/** The default approval levels when a template configures none: district, then province (where the map has them). */
export const DEFAULT_APPROVAL_LEVELS: readonly string[] = ['district', 'province'];

/** The approval levels of a template in a hierarchy version: configured (or default) levels that exist in it, in order. */
export function approvalLevelsFor(configured: readonly string[] | undefined, hierarchyLevels: readonly string[]): string[] {
  const wanted = configured ?? DEFAULT_APPROVAL_LEVELS;
  const seen = new Set<string>();
  return wanted.filter((l) => hierarchyLevels.includes(l) && !seen.has(l) && seen.add(l));
}

/** The outcome of a submit: new events, or the earlier answer for a retried submissionId. */
export type SubmitDecision =
  | { kind: 'append'; events: Array<ReportSubmitted | ReportAmended> }
  | { kind: 'duplicate'; record: SubmissionRecord };

/** The outcome of any report command. */
export type ReportDecision = { kind: 'append'; events: ReportEvent[] } | { kind: 'duplicate'; record: SubmissionRecord };

export function decideSubmit(command: SubmitReport, state: ReportState): SubmitDecision {
  const d = command.data;
  const earlier = state.submissions[d.submissionId];
  if (earlier) {
    if (earlier.contentHash !== d.contentHash) {
      throw new DomainError('SUBMISSION_ID_REUSED', `submissionId ${d.submissionId} was already used for different content`);
    }
    return { kind: 'duplicate', record: earlier };
  }
  if (state.status === 'locked') {
    throw new DomainError('REPORT_LOCKED', `report ${d.reportId} is locked; a province must unlock it before it can change`);
  }
  const { reason, ...values } = d;
  if (state.status === 'none') {
    return { kind: 'append', events: [{ type: 'tally.report.submitted', data: values }] };
  }
  const why = reason?.trim();
  if (!why) {
    throw new DomainError('AMENDMENT_REASON_REQUIRED', `report ${d.reportId} exists (version ${state.version}); an amendment needs a reason`);
  }
  return { kind: 'append', events: [{ type: 'tally.report.amended', data: { ...values, reason: why, replacesVersion: state.version } }] };
}

/**
 * submitted -> approved at each level, in order -> locked; a return (with a reason, at any level) goes back to the
 * submitter, whose amendment restarts approval; after lock only an unlock (with a reason) allows change.
 */
export function decideWorkflow(command: WorkflowCommand, state: ReportState): ReportEvent[] {
  const key = state.key;
  if (state.status === 'none' || !key || !state.reportId) throw new DomainError('REPORT_NOT_FOUND', 'no such report');
  const { levels, ancestors } = command.data;
  const base = { reportId: state.reportId, template: key.template, orgUnit: key.orgUnit, period: key.period, hierarchy: key.hierarchy };
  const at = (action: NextStep['action'], level: string | undefined): NextStep => {
    if (action === 'amend' || level === undefined) return { action: 'amend', orgUnit: key.orgUnit };
    return { action, level, orgUnit: ancestors[level] ?? key.orgUnit };
  };
  const top = levels[levels.length - 1];
  const fullyApproved = state.approvals.length >= levels.length;
  const refuseLocked = () => {
    if (state.status === 'locked') throw new DomainError('REPORT_LOCKED', `report ${state.reportId} is locked; a province must unlock it first`);
  };
  const refuseReturned = () => {
    if (state.status === 'returned') throw new DomainError('INVALID_TRANSITION', `report ${state.reportId} was returned; it awaits an amendment`);
  };
  const reasonOf = (reason: string): string => {
    const why = reason.trim();
    if (!why) throw new DomainError('INVALID_REQUEST', `${command.type} needs a reason`);
    return why;
  };

  switch (command.type) {
    case 'ApproveReport': {
      refuseLocked();
      refuseReturned();
      const level = command.data.level;
      if (!levels.includes(level)) {
        throw new DomainError('INVALID_TRANSITION', `${level} is not an approval level of this report (levels: ${levels.join(', ') || 'none'})`);
      }
      if (state.approvals.includes(level)) throw new DomainError('INVALID_TRANSITION', `report ${state.reportId} is already approved at the ${level} level`);
      const expected = levels[state.approvals.length];
      if (level !== expected) throw new DomainError('INVALID_TRANSITION', `report ${state.reportId} awaits approval at the ${expected} level first`);
      const following = levels[state.approvals.length + 1];
      const final = following === undefined;
      const next = final ? at('lock', top) : at('approve', following);
      const data: ReportWorkflowData & { level: string; final: boolean } = { ...base, next, level, final };
      return [{ type: 'tally.report.approved', data }];
    }
    case 'ReturnReport': {
      refuseLocked();
      refuseReturned();
      const level = command.data.level;
      if (!levels.includes(level)) {
        throw new DomainError('INVALID_TRANSITION', `${level} is not an approval level of this report (levels: ${levels.join(', ') || 'none'})`);
      }
      const reason = reasonOf(command.data.reason);
      return [{ type: 'tally.report.returned', data: { ...base, next: at('amend', undefined), level, reason } }];
    }
    case 'LockReport': {
      if (state.status === 'locked') throw new DomainError('INVALID_TRANSITION', `report ${state.reportId} is already locked`);
      refuseReturned();
      if (!fullyApproved) {
        throw new DomainError('INVALID_TRANSITION', `report ${state.reportId} awaits approval at the ${levels[state.approvals.length]} level before it can be locked`);
      }
      return [{ type: 'tally.report.locked', data: { ...base, next: null } }];
    }
    case 'UnlockReport': {
      if (state.status !== 'locked') throw new DomainError('INVALID_TRANSITION', `report ${state.reportId} is not locked`);
      const reason = reasonOf(command.data.reason);
      return [{ type: 'tally.report.unlocked', data: { ...base, next: at('amend', undefined), reason } }];
    }
    default:
      return assertNever(command, 'report command');
  }
}

/** The report rule every reader shares: the status a report has after each event type. */
export const REPORT_STATUS_AFTER: Readonly<Record<ReportEvent['type'], Exclude<ReportStatus, 'none'>>> = {
  'tally.report.submitted': 'submitted',
  'tally.report.amended': 'submitted',
  'tally.report.returned': 'returned',
  'tally.report.approved': 'approved',
  'tally.report.locked': 'locked',
  'tally.report.unlocked': 'submitted',
};

/** Folds one report event. Without metadata (a decision not yet stored) the version is the next one. */
export function evolveReport(state: ReportState, event: ReportEvent, meta: Partial<EventMeta> = {}): ReportState {
  const version = meta.streamVersion ?? state.version + 1;
  switch (event.type) {
    case 'tally.report.submitted':
    case 'tally.report.amended': {
      const d = event.data;
      const record: SubmissionRecord = { version, contentHash: d.contentHash, ...(meta.position === undefined ? {} : { position: meta.position }) };
      return {
        ...state,
        reportId: d.reportId,
        key: { template: d.template, orgUnit: d.orgUnit, period: d.period, hierarchy: d.hierarchy },
        status: REPORT_STATUS_AFTER[event.type],
        version,
        figures: d.figures,
        values: d.values,
        submissions: { ...state.submissions, [d.submissionId]: record },
        approvals: [],
      };
    }
    case 'tally.report.returned':
      return { ...state, version, status: REPORT_STATUS_AFTER[event.type], approvals: [] };
    case 'tally.report.approved':
      return { ...state, version, status: REPORT_STATUS_AFTER[event.type], approvals: [...state.approvals, event.data.level] };
    case 'tally.report.locked':
      return { ...state, version, status: REPORT_STATUS_AFTER[event.type] };
    case 'tally.report.unlocked':
      return { ...state, version, status: REPORT_STATUS_AFTER[event.type], approvals: [] };
    default:
      return assertNever(event, 'report event');
  }
}

/** A report stream: its events (with their upcasters) and how they fold. */
export const reportStream: SourcedStream<ReportState, ReportEvent> = {
  schema: REPORT_EVENT_SCHEMA,
  initialState: initialReportState,
  evolve: evolveReport,
};

export const reportDecider = {
  initialState: initialReportState,
  decide: (command: ReportCommand, state: ReportState): ReportDecision =>
    command.type === 'SubmitReport' ? decideSubmit(command, state) : { kind: 'append', events: decideWorkflow(command, state) },
  evolve: evolveReport,
};
