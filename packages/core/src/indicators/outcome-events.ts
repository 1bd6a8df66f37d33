import type { ReportViolation } from '../catalog/report-checks';
import type { RuleOperator } from '../catalog/types';
import type { TargetChange } from '../catalog/targets';
import type { EventSchema, ListsEvery } from '../decider/upcast';

/**
 * The indicator service's outcome events, declared here because other services read them too (notification
 * tells units about failed validations and targets met or missed; services do not import each other).
 */
export type ValidationViolation = Pick<ReportViolation, 'kind' | 'rule' | 'name' | 'importance' | 'onViolation' | 'message'> & {
  left: number | null;
  operator: string;
  right: number | null;
};

/** `tally.indicators.validated`: one report version checked against the catalog's rules (stream `indicators-<reportId>`). */
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

/** Schemas of the outcome streams: every type at schema version 1 so far (add an upcaster here when a shape changes). */
export const VALIDATION_EVENT_SCHEMA: EventSchema<ReportValidated> = { types: VALIDATION_EVENT_TYPES };
export const TARGET_OUTCOME_EVENT_SCHEMA: EventSchema<TargetOutcomeEvent> = { types: TARGET_OUTCOME_EVENT_TYPES };
/** Both outcome kinds, for readers of the indicators topic. */
export const INDICATOR_OUTCOME_EVENT_SCHEMA: EventSchema<IndicatorOutcomeEvent> = { types: OUTCOME_TYPES };
