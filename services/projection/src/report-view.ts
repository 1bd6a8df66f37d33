import type { StoredEvent } from '@tally/contracts';
import type { DataValue, ReportValuesData } from '@tally/core';
import type { Doc } from '@tally/readstore';

/** The report as people read it: current status and values, and its whole history with who, when and why. */
export interface HistoryEntry {
  version: number;
  position: number;
  type: string;
  time: string;
  actor: StoredEvent['actor'];
  reason?: string;
  submissionId?: string;
  figures?: string;
  level?: string;
}

export interface ReportViewDoc extends Doc {
  reportId: string;
  template: string;
  orgUnit: string;
  period: string;
  hierarchy: string;
  status: string;
  version: number;
  figures: string;
  catalogVersion: string;
  values: DataValue[];
  submittedAt: string;
  updatedAt: string;
  history: HistoryEntry[];
}

export const REPORTS = 'projection_reports';

const STATUS_AFTER: Record<string, string> = {
  'tally.report.submitted': 'submitted',
  'tally.report.amended': 'submitted',
  'tally.report.returned': 'returned',
  'tally.report.approved': 'approved',
  'tally.report.locked': 'locked',
  'tally.report.unlocked': 'submitted',
};

/** Pure: the view after one more event (null when the event does not concern reports). */
export function evolveReportView(view: ReportViewDoc | null, e: StoredEvent): ReportViewDoc | null {
  const status = STATUS_AFTER[e.type];
  if (!status) return view;
  const entry: HistoryEntry = {
    version: e.streamVersion,
    position: e.position,
    type: e.type,
    time: e.time,
    actor: e.actor,
    ...(e.reason ? { reason: e.reason } : {}),
  };
  if (e.type === 'tally.report.submitted' || e.type === 'tally.report.amended') {
    const d = e.data as ReportValuesData;
    return {
      _id: d.reportId,
      reportId: d.reportId,
      template: d.template,
      orgUnit: d.orgUnit,
      period: d.period,
      hierarchy: d.hierarchy,
      status,
      version: e.streamVersion,
      figures: d.figures,
      catalogVersion: d.catalogVersion,
      values: d.values,
      submittedAt: view?.submittedAt ?? d.submittedAt,
      updatedAt: e.time,
      history: [...(view?.history ?? []), { ...entry, submissionId: d.submissionId, figures: d.figures }],
    };
  }
  if (!view) return null;
  const level = (e.data as { level?: string }).level;
  return { ...view, status, version: e.streamVersion, updatedAt: e.time, history: [...view.history, { ...entry, ...(level ? { level } : {}) }] };
}
