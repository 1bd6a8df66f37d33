import type { StoredEvent } from '@tally/contracts';
import type { ReportValuesData } from '@tally/core';

/**
 * Which events tell whom what. Pure: the recipients are org units (every officer of the unit sees its inbox).
 */
export interface Message {
  recipient: string;
  kind: string;
  title: string;
  body: string;
  reportId?: string;
}

interface ValidatedData {
  reportId: string;
  orgUnit: string;
  period: string;
  template: string;
  violations: Array<{ rule: string; name: string; importance: string; left: number | null; operator: string; right: number | null }>;
}

export function messagesFor(e: StoredEvent, parentOf: (orgUnit: string) => string | null): Message[] {
  switch (e.type) {
    case 'tally.report.submitted':
    case 'tally.report.amended': {
      const d = e.data as ReportValuesData;
      const parent = parentOf(d.orgUnit);
      if (!parent) return [];
      const amended = e.type === 'tally.report.amended';
      return [
        {
          recipient: parent,
          kind: amended ? 'report.amended' : 'report.submitted',
          title: `${d.template} ${d.period} from ${d.orgUnit} ${amended ? 'amended' : 'submitted'}`,
          body: amended ? `Version ${e.streamVersion}. Reason: ${e.reason ?? ''}` : `Version ${e.streamVersion} is ready for review.`,
          reportId: d.reportId,
        },
      ];
    }
    case 'tally.indicators.validated': {
      const d = e.data as ValidatedData;
      if (d.violations.length === 0) return [];
      const list = d.violations.map((v) => `${v.name} (${v.rule}): ${v.left} ${v.operator} ${v.right} does not hold`).join('; ');
      const title = `${d.template} ${d.period} from ${d.orgUnit} breaks ${d.violations.length} validation rule(s)`;
      const parent = parentOf(d.orgUnit);
      return [
        { recipient: d.orgUnit, kind: 'validation.failed', title, body: list, reportId: d.reportId },
        ...(parent ? [{ recipient: parent, kind: 'validation.failed', title, body: list, reportId: d.reportId }] : []),
      ];
    }
    default:
      return [];
  }
}
