import type { StoredEvent } from '@tally/contracts';
import { REPORT_EVENT_SCHEMA, REPORT_STATUS_AFTER, assertNever, readEvent, type DataValue } from '@tally/core';
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

/** Pure: the view after one more event (null when the event does not concern reports). */
export function evolveReportView(view: ReportViewDoc | null, e: StoredEvent): ReportViewDoc | null {
  const event = readEvent(REPORT_EVENT_SCHEMA, e);
  if (!event) return view;
  const status = REPORT_STATUS_AFTER[event.type];
  const entry: HistoryEntry = {
    version: e.streamVersion,
    position: e.position,
    type: e.type,
    time: e.time,
    actor: e.actor,
    ...(e.reason ? { reason: e.reason } : {}),
  };
  switch (event.type) {
    case 'tally.report.submitted':
    case 'tally.report.amended': {
      const d = event.data;
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
    case 'tally.report.returned':
    case 'tally.report.approved':
      return view && { ...view, status, version: e.streamVersion, updatedAt: e.time, history: [...view.history, { ...entry, level: event.data.level }] };
    case 'tally.report.locked':
    case 'tally.report.unlocked':
      return view && { ...view, status, version: e.streamVersion, updatedAt: e.time, history: [...view.history, entry] };
    default:
      return assertNever(event, 'report event');
  }
}
