import type { PeriodType } from '../catalog/types';
import { addDays, deadlineFor, isoDateOf, periodsOfType, DEFAULT_TIER_STEP_DAYS } from '../period/period';

/**
 * Which deadline reminders and overdue notices are due on a day: pure (the caller brings the catalog's
 * templates, the hierarchy, the reports received and the day; no clock, no I/O).
 *
 * For a template, a period and a tier (tier 0 = the reporting units, tier k = the units k levels above,
 * deadlines cascade: `deadlineFor(period, days, k)`), a unit is behind when a unit it is expected to report for
 * (itself at tier 0, its reporting-level descendants above) has not reported.
 * - reminder at offset o (default 7, 3, 1 days): due to the unit from `deadline - o` until the next smaller
 *   offset's day (so a scheduler that was down catches up with the latest reminder only, never a stale one);
 * - overdue: due the day after the deadline (and for `overdueWindowDays` days, to catch up), to the unit and its parent.
 * Days are Vietnam calendar days (UTC+7). Each notice has a key (rule, template, unit, period, offset): the
 * scheduler sends each key at most once.
 */
export const VIETNAM_UTC_OFFSET_MINUTES = 7 * 60;
export const DEFAULT_REMINDER_OFFSETS: readonly number[] = [7, 3, 1];
export const DEFAULT_OVERDUE_WINDOW_DAYS = 30;

export interface DeadlinePolicy {
  /** days before the deadline, any order */
  reminderOffsets: readonly number[];
  /** how many days after a deadline a missed overdue notice is still sent */
  overdueWindowDays: number;
  tierStepDays?: number;
}

export const DEFAULT_DEADLINE_POLICY: DeadlinePolicy = { reminderOffsets: DEFAULT_REMINDER_OFFSETS, overdueWindowDays: DEFAULT_OVERDUE_WINDOW_DAYS };

export interface DeadlineTemplate {
  code: string;
  periodType: PeriodType;
  reportingLevel: string;
  deadlineDaysAfterPeriodEnd: number;
}

export interface DeadlineUnit {
  code: string;
  parentCode: string | null;
  level: string;
}

export interface DeadlineInput {
  /** the Vietnam calendar date, YYYY-MM-DD */
  today: string;
  template: DeadlineTemplate;
  period: string;
  /** the hierarchy's levels, top first (e.g. country, province, commune) */
  levels: readonly string[];
  /** the units of the hierarchy version in force at the period's end (or a subtree of it, with its ancestors) */
  units: readonly DeadlineUnit[];
  /** reporting units whose report for the template and period is in */
  received: ReadonlySet<string>;
  policy?: DeadlinePolicy;
  /** only units within this subtree */
  within?: string;
}

export type DeadlineRule = 'reminder' | 'overdue';

export interface DeadlineNotice {
  rule: DeadlineRule;
  template: string;
  period: string;
  tier: number;
  orgUnit: string;
  deadline: string;
  /** days before the deadline (reminders); 0 for overdue notices */
  offset: number;
  /** reporting units the unit answers for, and how many of them have not reported */
  expected: number;
  missing: number;
  /** who is told: the unit; for overdue notices also its parent */
  recipients: string[];
}

/** The key a notice is sent under at most once. */
export const deadlineNoticeKey = (n: Pick<DeadlineNotice, 'rule' | 'template' | 'orgUnit' | 'period' | 'offset'>): string =>
  `${n.rule}-${n.template}-${n.orgUnit}-${n.period}-${n.offset}`;

/** The Vietnam calendar date of an instant. */
export const vietnamDateOf = (instant: Date): string => isoDateOf(instant.toISOString(), VIETNAM_UTC_OFFSET_MINUTES);

/** Which rule (and offset) is due on `today` for a deadline, or null. */
export function dueRule(today: string, deadline: string, policy: DeadlinePolicy): { rule: DeadlineRule; offset: number } | null {
  if (today > deadline) return today <= addDays(deadline, policy.overdueWindowDays) ? { rule: 'overdue', offset: 0 } : null;
  const offsets = [...new Set(policy.reminderOffsets)].filter((o) => Number.isInteger(o) && o > 0).sort((a, b) => a - b);
  for (let i = 0; i < offsets.length; i++) {
    const o = offsets[i]!;
    const next = i === 0 ? 0 : offsets[i - 1]!;
    // the window of offset o: from its day until the day of the next smaller offset (the deadline for the smallest)
    if (today >= addDays(deadline, -o) && today < addDays(deadline, -next)) return { rule: 'reminder', offset: o };
  }
  return null;
}

/** The periods of a template whose deadline at some tier 0..maxTier can be due on `today`. */
export function periodsDueAround(template: DeadlineTemplate, today: string, maxTier: number, policy: DeadlinePolicy = DEFAULT_DEADLINE_POLICY): string[] {
  const year = Number(today.slice(0, 4));
  const step = policy.tierStepDays ?? DEFAULT_TIER_STEP_DAYS;
  const longest = Math.max(0, ...policy.reminderOffsets);
  const out: string[] = [];
  for (const y of [year - 1, year]) {
    for (const p of periodsOfType(y, template.periodType)) {
      const first = deadlineFor(p.code, template.deadlineDaysAfterPeriodEnd, 0, step);
      const last = deadlineFor(p.code, template.deadlineDaysAfterPeriodEnd, maxTier, step);
      if (today >= addDays(first, -longest) && today <= addDays(last, policy.overdueWindowDays)) out.push(p.code);
    }
  }
  return out;
}

/** The notices due on `today` for one template and period. */
export function dueDeadlineNotices(input: DeadlineInput): DeadlineNotice[] {
  const policy = input.policy ?? DEFAULT_DEADLINE_POLICY;
  const step = policy.tierStepDays ?? DEFAULT_TIER_STEP_DAYS;
  const reportingIndex = input.levels.indexOf(input.template.reportingLevel);
  if (reportingIndex < 0) return [];
  const levelIndex = new Map(input.levels.map((l, i) => [l, i]));
  const byCode = new Map(input.units.map((u) => [u.code, u]));
  // expected and missing reporting units under every unit (walk each reporting unit's ancestors once)
  const expected = new Map<string, number>();
  const missing = new Map<string, number>();
  const inside = (code: string): boolean => {
    if (!input.within) return true;
    for (let u = byCode.get(code); u; u = u.parentCode ? byCode.get(u.parentCode) : undefined) if (u.code === input.within) return true;
    return false;
  };
  for (const u of input.units) {
    if (u.level !== input.template.reportingLevel) continue;
    const absent = input.received.has(u.code) ? 0 : 1;
    for (let a: DeadlineUnit | undefined = u; a; a = a.parentCode ? byCode.get(a.parentCode) : undefined) {
      expected.set(a.code, (expected.get(a.code) ?? 0) + 1);
      missing.set(a.code, (missing.get(a.code) ?? 0) + absent);
    }
  }
  const out: DeadlineNotice[] = [];
  for (const [code, n] of missing) {
    if (n === 0 || !inside(code)) continue;
    const unit = byCode.get(code)!;
    const tier = reportingIndex - (levelIndex.get(unit.level) ?? reportingIndex);
    if (tier < 0) continue;
    const deadline = deadlineFor(input.period, input.template.deadlineDaysAfterPeriodEnd, tier, step);
    const due = dueRule(input.today, deadline, policy);
    if (!due) continue;
    const recipients = due.rule === 'overdue' && unit.parentCode ? [code, unit.parentCode] : [code];
    out.push({ ...due, template: input.template.code, period: input.period, tier, orgUnit: code, deadline, expected: expected.get(code)!, missing: n, recipients });
  }
  return out.sort((a, b) => a.tier - b.tier || (a.orgUnit < b.orgUnit ? -1 : a.orgUnit > b.orgUnit ? 1 : 0));
}
