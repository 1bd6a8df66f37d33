import { coarserPeriods, parsePeriod, shiftPeriod } from '../period/period';
import { compareWithTolerance } from './validation-rules';
import type { PeriodType, RuleOperator } from './types';

/**
 * Targets: what an indicator's rolled-up value should be for one unit and period.
 * Either a level (`value operator target`, e.g. paved-road share >= 100) or a change from the same
 * period a year before (`value - previous operator target`, e.g. EM poverty rate falls by at least 3 points:
 * change PREVIOUS_YEAR, operator <=, value -3). Pure.
 */
export type TargetChange = 'PREVIOUS_YEAR';

export interface TargetSpec {
  operator: RuleOperator;
  value: number;
  /** absent: the indicator's value itself is compared; PREVIOUS_YEAR: its change from the same period a year before */
  change?: TargetChange;
}

export interface TargetOutcome {
  /** NO_DATA: the value (or, for a change, the previous year's value) is not known yet */
  status: 'MET' | 'MISSED' | 'NO_DATA';
  /** what was compared with the target: the value, or the change */
  measured: number | null;
}

/** Compares with the validation rules' tolerance (1e-9 relative). */
export function evaluateTarget(spec: TargetSpec, current: number | null, previous: number | null = null): TargetOutcome {
  if (current === null || !Number.isFinite(current)) return { status: 'NO_DATA', measured: null };
  let measured = current;
  if (spec.change === 'PREVIOUS_YEAR') {
    if (previous === null || !Number.isFinite(previous)) return { status: 'NO_DATA', measured: null };
    measured = current - previous;
  }
  return { status: compareWithTolerance(measured, spec.operator, spec.value) ? 'MET' : 'MISSED', measured };
}

const PER_YEAR: Record<PeriodType, number> = { MONTHLY: 12, QUARTERLY: 4, SIXMONTHLY: 2, YEARLY: 1 };

/** The same period a year before (`2026S1` -> `2025S1`); null for an invalid code or outside the supported years. */
export function previousYearPeriod(code: string): string | null {
  const p = parsePeriod(code);
  return p ? shiftPeriod(code, -PER_YEAR[p.type]) : null;
}

/**
 * The periods whose targets data for `period` can change: the period and every coarser one containing it
 * (`direct`), and the same periods a year later (`nextYear`, for targets on the change from the previous year).
 */
export function targetPeriodsAffectedBy(period: string): { direct: string[]; nextYear: string[] } {
  if (!parsePeriod(period)) return { direct: [], nextYear: [] };
  const direct = [period, ...coarserPeriods(period)];
  const nextYear = direct.map((p) => shiftPeriod(p, PER_YEAR[parsePeriod(p)!.type])).filter((p): p is string => p !== null);
  return { direct, nextYear };
}
