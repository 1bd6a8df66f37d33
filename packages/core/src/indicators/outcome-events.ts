import { CHECK_NAME_SUFFIX, type ReportViolation } from '../catalog/report-checks';
import type { RuleOperator } from '../catalog/types';
import type { TargetChange } from '../catalog/targets';
import type { EventSchema, ListsEvery, Upcaster } from '../decider/upcast';

/**
 * The indicator service's outcome events, declared here because other services read them too (notification
 * tells units about failed validations and targets met or missed; services do not import each other).
 */
export type ValidationViolation = Pick<ReportViolation, 'kind' | 'rule' | 'name' | 'elementName' | 'importance' | 'onViolation' | 'message'> & {
  left: number | null;
  operator: string;
  right: number | null;
};

/**
 * `tally.indicators.validated`: one report version checked against the catalog's rules (stream `indicators-<reportId>`).
 * Schema version 2: each violation has `kind` and `elementName` (version 1 may lack `kind`, written before the
 * min/max and outlier checks, and has no `elementName`: see upcastValidatedV1).
 */
export interface ReportValidatedData {
  reportId: string;
  reportVersion: number;
  hierarchy: string;
  template: string;
  orgUnit: string;
  period: string;
  catalogVersion: string;
  violations: ValidationViolation[];
}
export type ReportValidated = { type: 'tally.indicators.validated'; data: ReportValidatedData };

export type TargetFigures = 'estimate' | 'official' | 'latest';
export type TargetStatus = 'MET' | 'MISSED';

/** `tally.indicators.target-met` / `target-missed`: a target evaluated on the rollups. */
export interface TargetOutcomeData {
  indicator: string;
  indicatorName: string;
  orgUnit: string;
  period: string;
  hierarchy: string;
  targetVersion: number;
  operator: RuleOperator;
  target: number;
  change: TargetChange | null;
  figures: TargetFigures;
  status: TargetStatus;
  /** what was compared with the target: the value, or the change from the previous year */
  measured: number;
  value: number;
  previousValue: number | null;
  /** the outcome before this one (same target, any version), null for the first */
  previousOutcome: TargetStatus | null;
  /** the highest rollup position the evaluation saw: an evaluation on older data never overrides a newer one */
  basis: number;
}
export type TargetOutcomeEvent = { type: 'tally.indicators.target-met' | 'tally.indicators.target-missed'; data: TargetOutcomeData };

export type IndicatorOutcomeEvent = ReportValidated | TargetOutcomeEvent;

export const VALIDATION_EVENT_TYPES = ['tally.indicators.validated'] as const satisfies readonly ReportValidated['type'][];
export const TARGET_OUTCOME_EVENT_TYPES = ['tally.indicators.target-met', 'tally.indicators.target-missed'] as const satisfies readonly TargetOutcomeEvent['type'][];
export const TARGET_OUTCOME_EVENT_TYPES_COMPLETE: ListsEvery<TargetOutcomeEvent['type'], typeof TARGET_OUTCOME_EVENT_TYPES> = true;
const OUTCOME_TYPES = [...VALIDATION_EVENT_TYPES, ...TARGET_OUTCOME_EVENT_TYPES] as const;
export const INDICATOR_OUTCOME_EVENT_TYPES_COMPLETE: ListsEvery<IndicatorOutcomeEvent['type'], typeof OUTCOME_TYPES> = true;

/** a violation as version 1 recorded it */
type ViolationV1 = Omit<ValidationViolation, 'kind' | 'elementName'> & { kind?: ValidationViolation['kind'] };

/**
 * Version 1 -> 2 of `tally.indicators.validated`: a violation without `kind` was a rule's (the only check then);
 * a min/max or outlier violation named its element only inside `name`, followed by the check's suffix.
 */
export const upcastValidatedV1: Upcaster = (data) => {
  const d = data as Omit<ReportValidatedData, 'violations'> & { violations: ViolationV1[] };
  return {
    ...d,
    violations: d.violations.map((v): ValidationViolation => {
      const kind = v.kind ?? 'RULE';
      return { ...v, kind, elementName: kind === 'RULE' ? null : withoutCheckSuffix(v.name) };
    }),
  };
};

function withoutCheckSuffix(name: string): string {
  for (const suffix of Object.values(CHECK_NAME_SUFFIX)) if (name.endsWith(suffix)) return name.slice(0, -suffix.length);
  return name;
}

const VALIDATED_UPCASTERS = { 'tally.indicators.validated': { 1: upcastValidatedV1 } } as const;

/** Schemas of the outcome streams: `validated` at schema version 2, the target outcomes at 1. */
export const VALIDATION_EVENT_SCHEMA: EventSchema<ReportValidated> = { types: VALIDATION_EVENT_TYPES, upcasters: VALIDATED_UPCASTERS };
export const TARGET_OUTCOME_EVENT_SCHEMA: EventSchema<TargetOutcomeEvent> = { types: TARGET_OUTCOME_EVENT_TYPES };
/** Both outcome kinds, for readers of the indicators topic. */
export const INDICATOR_OUTCOME_EVENT_SCHEMA: EventSchema<IndicatorOutcomeEvent> = { types: OUTCOME_TYPES, upcasters: VALIDATED_UPCASTERS };
