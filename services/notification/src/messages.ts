import type { StoredEvent } from '@tally/contracts';
import type { ReportValuesData, ReportWorkflowData } from '@tally/core';

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
  violations: Array<{ rule: string; name: string; importance: string; left: number | null; operator: string; right: number | null; kind?: string; message?: string }>;
}

/** tally.indicators.target-met / target-missed (services/indicator/src/targets.ts) */
interface TargetOutcomeData {
  indicator: string;
  indicatorName: string;
  orgUnit: string;
  period: string;
  operator: string;
  target: number;
  change: 'PREVIOUS_YEAR' | null;
  figures: string;
  measured: number;
  value: number;
  previousValue: number | null;
  previousOutcome: 'MET' | 'MISSED' | null;
}

const fmt = (x: number): string => String(Math.round(x * 100) / 100);

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
      const list = d.violations
        .map((v) => (v.kind && v.kind !== 'RULE' && v.message ? v.message : `${v.name} (${v.rule}): ${v.left} ${v.operator} ${v.right} does not hold`))
        .join('; ');
      const title = `${d.template} ${d.period} from ${d.orgUnit} breaks ${d.violations.length} validation rule(s)`;
      const parent = parentOf(d.orgUnit);
      return [
        { recipient: d.orgUnit, kind: 'validation.failed', title, body: list, reportId: d.reportId },
        ...(parent ? [{ recipient: parent, kind: 'validation.failed', title, body: list, reportId: d.reportId }] : []),
      ];
    }
    case 'tally.indicators.target-missed':
    case 'tally.indicators.target-met': {
      const d = e.data as TargetOutcomeData;
      const missed = e.type === 'tally.indicators.target-missed';
      // a miss is always told; a target met only when it was missed before (back on track)
      if (!missed && d.previousOutcome !== 'MISSED') return [];
      const what = d.change === 'PREVIOUS_YEAR' ? `change from the previous year` : 'value';
      const title = `${d.indicatorName} ${d.period} at ${d.orgUnit}: target ${missed ? 'missed' : 'met again'}`;
      const body =
        `${d.indicator} = ${fmt(d.value)}` +
        (d.change === 'PREVIOUS_YEAR' && d.previousValue !== null ? ` (previous year ${fmt(d.previousValue)}, change ${fmt(d.measured)})` : '') +
        `; target: ${what} ${d.operator} ${fmt(d.target)} (${d.figures} figures).`;
      const kind = missed ? 'target.missed' : 'target.met';
      const parent = parentOf(d.orgUnit);
      return [{ recipient: d.orgUnit, kind, title, body }, ...(parent ? [{ recipient: parent, kind, title, body }] : [])];
    }
    case 'tally.report.approved':
    case 'tally.report.returned':
    case 'tally.report.locked':
    case 'tally.report.unlocked':
      return workflowMessages(e);
    default:
      return [];
  }
}

/** Workflow steps tell whoever acts next (the event names them in data.next) and, when that is not them, the reporting unit. */
function workflowMessages(e: StoredEvent): Message[] {
  const d = e.data as ReportWorkflowData & { level?: string; reason?: string };
  const step = e.type.slice('tally.report.'.length);
  const title = `${d.template} ${d.period} from ${d.orgUnit} ${step}${d.level ? ` at the ${d.level} level` : ''}`;
  const why = d.reason ? ` Reason: ${d.reason}` : '';
  const todo = d.next ? ` Next: ${d.next.action}${d.next.level ? ` at the ${d.next.level} level` : ''} by ${d.next.orgUnit}.` : '';
  const out: Message[] = [];
  if (d.next) out.push({ recipient: d.next.orgUnit, kind: `report.${d.next.action}-due`, title, body: `${title}.${why}${todo}`.trim(), reportId: d.reportId });
  if (d.next?.orgUnit !== d.orgUnit) out.push({ recipient: d.orgUnit, kind: `report.${step}`, title, body: `${title}.${why}${todo}`.trim(), reportId: d.reportId });
  return out;
}
