import type { StoredEvent } from '@tally/contracts';
import { readEvent, REPORT_EVENT_SCHEMA, type ReleaseTrigger, type ReportWorkflowData } from '@tally/core';
import type { Guard, Update } from '@tally/readstore';

/** One write of the open-data consumer: a template's progress in a partition, or a release made due. */
export type DatasetsStep =
  | { kind: 'progress'; id: string; update: Update; guard: Guard }
  | { kind: 'due'; event: { id: string; position: number; type: string; data: ReportWorkflowData }; trigger: ReleaseTrigger };

/**
 * A batch of one report partition's events as the writes they make, in order. Consecutive submissions and
 * amendments of a template fold into one progress update (the periods they reached, the last position and time):
 * the document ends as it would after one update per event, since setting a period again changes nothing and the
 * guard only lets a newer position in. A release made due (a final approval, a lock) ends the fold before it, so the
 * progress it may look at is written first.
 */
export function datasetsSteps(events: StoredEvent[], partition: number): DatasetsStep[] {
  const steps: DatasetsStep[] = [];
  const open = new Map<string, { periods: Set<string>; position: number; time: string; template: string }>();
  const close = () => {
    for (const [id, p] of open) {
      const set: Record<string, unknown> = { template: p.template, applied: p.position, updatedAt: p.time };
      for (const period of p.periods) set[`periods.${period}`] = true;
      steps.push({ kind: 'progress', id, update: { set }, guard: { field: 'applied', below: p.position } });
    }
    open.clear();
  };
  for (const e of events) {
    // report events read through the report stream's schema (typed, upcast), never cast
    const report = readEvent(REPORT_EVENT_SCHEMA, e);
    if (report?.type === 'tally.report.submitted' || report?.type === 'tally.report.amended') {
      const d = report.data;
      const id = `${d.template}|p${partition}`;
      const p = open.get(id) ?? { periods: new Set<string>(), position: e.position, time: e.time, template: d.template };
      p.periods.add(d.period);
      p.position = e.position;
      p.time = e.time;
      open.set(id, p);
    } else if ((report?.type === 'tally.report.approved' && report.data.final) || report?.type === 'tally.report.locked') {
      close();
      steps.push({ kind: 'due', event: { ...e, data: report.data }, trigger: report.type === 'tally.report.locked' ? 'locked' : 'approved' });
    }
  }
  close();
  return steps;
}
