/**
 * The catalog: its types, validation, option combos, versions in force, indicator computation,
 * aggregation math, validation rules and composite indices. See docs/catalog.md.
 */
export type * from './types';
export { computeIndicator, type IndicatorValue } from './indicator';
export {
  AGGREGATION_TYPES,
  CODE_PATTERN,
  MAX_OPTION_COMBOS,
  VALUE_TYPES,
  validateCatalog,
  type CatalogProblem,
  type CatalogProblemCode,
  type CatalogValidation,
} from './validate-catalog';
export { OPTION_COMBO_SEPARATOR, cartesianCodes, optionCombos } from './option-combos';
export { catalogInForce, daysGoverned, publicationEffect, type DateSpan, type Displacement } from './versions';
export {
  AXIS_OPERATION,
  addContribution,
  aggregate,
  contributionCount,
  emptyAccumulator,
  finalValue,
  mergeAccumulators,
  retractContribution,
  type Accumulator,
  type AggregationAxis,
  type AccumulatorEntry,
} from './aggregation';
export {
  RULE_TOLERANCE,
  compareWithTolerance,
  evaluateRule,
  evaluateRules,
  minMaxCheck,
  outlierCheck,
  type MinMaxResult,
  type OutlierOptions,
  type OutlierResult,
  type RuleResult,
  type Violation,
} from './validation-rules';
export { computeComposite, rankUnits, type ComponentScore, type CompositeOptions, type CompositeScore, type RankedUnit } from './composite';
export { checkMinMax, checkOutliers, checkRules, reportLookup, reportTotals, type CheckKind, type ReportViolation, type ReportedValue } from './report-checks';
export { violationTextVi } from './violation-text';
export { evaluateTarget, previousYearPeriod, targetPeriodsAffectedBy, type TargetChange, type TargetOutcome, type TargetSpec } from './targets';
export {
  CATALOG_SHEET,
  CATALOG_SHEETS,
  catalogFromSheets,
  catalogToSheets,
  columnLetter,
  locateProblems,
  type CellLocation,
  type LocatedProblem,
  type ReadCell,
  type SheetCell,
  type SheetTable,
  type SheetsRead,
} from './catalog-sheets';
