import { DomainError } from '../errors';
import type { DataValue, Figures, ReportEvent, ReportValuesData } from './events';

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
  status: ReportStatus;
  version: number;
  figures: Figures | null;
  values: DataValue[];
  submissions: Record<string, SubmissionRecord>;
  approvals: string[];
}

export const initialReportState = (): ReportState => ({
  reportId: null,
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

export type ReportCommand = SubmitReport;

/** The outcome of a submit: new events, or the earlier answer for a retried submissionId. */
export type SubmitDecision =
  | { kind: 'append'; events: ReportEvent[] }
  | { kind: 'duplicate'; record: SubmissionRecord };

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

export interface EventMeta {
  streamVersion?: number;
  position?: number;
}

export function evolveReport(state: ReportState, event: ReportEvent, meta: EventMeta = {}): ReportState {
  const version = meta.streamVersion ?? state.version + 1;
  switch (event.type) {
    case 'tally.report.submitted':
    case 'tally.report.amended': {
      const d = event.data;
      const record: SubmissionRecord = { version, contentHash: d.contentHash, ...(meta.position === undefined ? {} : { position: meta.position }) };
      return {
        ...state,
        reportId: d.reportId,
        status: 'submitted',
        version,
        figures: d.figures,
        values: d.values,
        submissions: { ...state.submissions, [d.submissionId]: record },
        approvals: [],
      };
    }
    case 'tally.report.returned':
      return { ...state, version, status: 'returned', approvals: [] };
    case 'tally.report.approved':
      return { ...state, version, status: 'approved', approvals: [...state.approvals, event.data.level] };
    case 'tally.report.locked':
      return { ...state, version, status: 'locked' };
    case 'tally.report.unlocked':
      return { ...state, version, status: 'submitted', approvals: [] };
  }
}

export const reportDecider = {
  initialState: initialReportState,
  decide: (command: ReportCommand, state: ReportState): SubmitDecision => decideSubmit(command, state),
  evolve: evolveReport,
};
