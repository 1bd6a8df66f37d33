import { deadlineFor, parsePeriod, periodContaining, shiftPeriod } from '../period/period';
import type { PeriodType } from '../catalog/types';

/**
 * What a reporting unit has to report: each template its level reports, for the current period and the few
 * before it, with the deadline of every tier (deadlines cascade up the map: tier 0 is the reporting unit) and
 * the status: a report's own workflow status when one exists; otherwise `open` (the period has not ended),
 * `due` (ended, deadline not passed) or `late` (deadline passed). Pure: the caller gives the catalog's
 * templates, the map's levels for each period and the unit's reports.
 */
export interface DueTemplate {
  code: string;
  name: string;
  periodType: PeriodType;
  reportingLevel: string;
  deadlineDaysAfterPeriodEnd: number;
}

export interface DueReport {
  template: string;
  period: string;
  status: string;
  reportId: string;
  version: number;
}

export type DueStatus = 'open' | 'due' | 'late' | 'submitted' | 'returned' | 'approved' | 'locked';

export interface DueEntry {
  template: string;
  templateName: string;
  period: string;
  periodType: PeriodType;
  /** the reporting unit's own deadline (tier 0) */
  deadline: string;
  /** tier 0 (the reporting level) first, then each level above it */
  tierDeadlines: Array<{ level: string; deadline: string }>;
  status: DueStatus;
  reportId?: string;
  version?: number;
}

export interface DueInput {
  templates: readonly DueTemplate[];
  /** the unit's level on the map of each period (by period code); a period missing here is skipped */
  unitLevel: (period: string) => string | undefined;
  /** the map's levels, top first (e.g. ['national', 'province', 'commune']), for a period */
  levels: (period: string) => readonly string[];
  today: string;
  reports: readonly DueReport[];
  /** how many ended periods to list before the current one (default 3) */
  periodsBack?: number;
}

const REPORT_STATUSES = new Set(['submitted', 'returned', 'approved', 'locked']);

export function dueList(input: DueInput): DueEntry[] {
  const back = input.periodsBack ?? 3;
  const out: DueEntry[] = [];
  for (const template of input.templates) {
    const current = periodContaining(input.today, template.periodType);
    if (!current) continue;
    for (let n = 0; n <= back; n++) {
      const period = shiftPeriod(current.code, -n);
      const p = period ? parsePeriod(period) : null;
      if (!period || !p) continue;
      if (input.unitLevel(period) !== template.reportingLevel) continue;
      const levels = input.levels(period);
      const reportingIndex = levels.indexOf(template.reportingLevel);
      const tierDeadlines: DueEntry['tierDeadlines'] = [];
      for (let tier = 0; reportingIndex - tier >= 0; tier++) {
        tierDeadlines.push({ level: levels[reportingIndex - tier]!, deadline: deadlineFor(period, template.deadlineDaysAfterPeriodEnd, tier) });
      }
      const deadline = deadlineFor(period, template.deadlineDaysAfterPeriodEnd, 0);
      const report = input.reports.find((r) => r.template === template.code && r.period === period);
      const status: DueStatus =
        report && REPORT_STATUSES.has(report.status) ? (report.status as DueStatus) : input.today <= p.endDate ? 'open' : input.today <= deadline ? 'due' : 'late';
      out.push({
        template: template.code,
        templateName: template.name,
        period,
        periodType: template.periodType,
        deadline,
        tierDeadlines,
        status,
        ...(report ? { reportId: report.reportId, version: report.version } : {}),
      });
    }
  }
  return out;
}
