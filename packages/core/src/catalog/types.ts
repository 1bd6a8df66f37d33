/**
 * The catalog: what can be reported (data elements, their disaggregations), what is computed from it
 * (indicators), and how it is collected (report templates). It is data, versioned by legal basis;
 * nothing in the code is specific to one program.
 * Names follow DHIS2 where they fit. Extend these types; do not rename fields (they are the API).
 */
export type ValueType = 'INTEGER' | 'NUMBER' | 'PERCENTAGE' | 'MONEY' | 'BOOLEAN' | 'TEXT';

export type AggregationType = 'SUM' | 'AVERAGE' | 'AVERAGE_SUM_ORG_UNIT' | 'LAST' | 'MIN' | 'MAX' | 'NONE';

export type PeriodType = 'MONTHLY' | 'QUARTERLY' | 'SIXMONTHLY' | 'YEARLY';

export interface CategoryOption {
  code: string;
  name: string;
}

/** e.g. SEX with options MALE, FEMALE */
export interface Category {
  code: string;
  name: string;
  options: CategoryOption[];
}

/** A combination of categories (e.g. ETHNIC_GROUP x SEX); its option combos are the cartesian product. */
export interface CategoryCombo {
  code: string;
  name: string;
  categories: string[];
}

export interface DataElement {
  code: string;
  name: string;
  valueType: ValueType;
  aggregation: AggregationType;
  /** category combo code; absent = not disaggregated */
  categoryCombo?: string;
  /** e.g. "household", "million VND" */
  unit?: string;
  description?: string;
  /** inclusive bounds of one reported value (each option combo and the total), checked at the reporting unit */
  min?: number;
  max?: number;
  /** a value outside [min, max]: WARN (default: accepted, a warning is recorded) or REJECT (the submission is refused, 422 INVALID_VALUE) */
  onOutOfRange?: 'WARN' | 'REJECT';
  /** an INTEGER element is a count: a negative value is refused unless this is true (e.g. a net change) */
  allowNegative?: boolean;
  /** check each report's total against the unit's own history of this element (modified z-score; warns); default false */
  outlierCheck?: boolean;
}

export interface Indicator {
  code: string;
  name: string;
  /** formula over data elements, e.g. "#{HH_POOR}" */
  numerator: string;
  /** formula; "1" for a plain count */
  denominator: string;
  factor: number;
  unit?: string;
  description?: string;
}

export interface ReportTemplate {
  code: string;
  name: string;
  periodType: PeriodType;
  /** hierarchy level name of the units that report it, e.g. "commune" */
  reportingLevel: string;
  dataElements: string[];
  /** deadline for the reporting level; each tier above gets later deadlines */
  deadlineDaysAfterPeriodEnd: number;
  description?: string;
  /** approval levels, lowest first (e.g. ["district", "province"]); absent = that default, filtered to the hierarchy's levels */
  approvalLevels?: string[];
}

export interface Catalog {
  version: string;
  legalBasis: string;
  /** ISO date the catalog applies from (inclusive); absent = always */
  effectiveFrom?: string;
  /** ISO date the catalog applies until (inclusive); absent = open-ended */
  effectiveTo?: string;
  categories?: Category[];
  categoryCombos?: CategoryCombo[];
  dataElements: DataElement[];
  indicators: Indicator[];
  templates: ReportTemplate[];
  /** checks run on submitted data (see validation-rules.ts) */
  validationRules?: ValidationRule[];
  /** DTI-style indices computed from indicators (see composite.ts) */
  compositeIndices?: CompositeIndex[];
}

export type RuleOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type RuleImportance = 'HIGH' | 'MEDIUM' | 'LOW';
/**
 * When a rule is evaluated although data is missing (DHIS2's missingValueStrategy):
 * SKIP_IF_ANY_VALUE_MISSING (default): skip when a side evaluates to null;
 * SKIP_IF_ALL_VALUES_MISSING: skip only when no referenced value exists, else missing values count as 0;
 * NEVER_SKIP: missing values count as 0.
 */
export type MissingValueStrategy = 'SKIP_IF_ANY_VALUE_MISSING' | 'SKIP_IF_ALL_VALUES_MISSING' | 'NEVER_SKIP';

/** left operator right, each side a formula, e.g. "#{HH_POOR}" "<=" "#{HH_TOTAL}". */
export interface ValidationRule {
  code: string;
  name: string;
  left: string;
  operator: RuleOperator;
  right: string;
  importance: RuleImportance;
  /** only checked for data of this period type; absent = every period type */
  periodType?: PeriodType;
  /** WARN: accept the data and raise an alert; REJECT: refuse the submission */
  onViolation: 'WARN' | 'REJECT';
  missingValueStrategy?: MissingValueStrategy;
  description?: string;
}

/** One main index of a composite index: earned points come from an indicator or a formula. */
export interface CompositeComponent {
  code: string;
  name?: string;
  /** maximum points; value = earned / maxPoints in [0, 1]; 0 = weighs nothing (e.g. DTI 2022 smart city) */
  maxPoints: number;
  /** indicator code whose value is the earned points (exactly one of indicator / expression) */
  indicator?: string;
  /** formula whose value is the earned points */
  expression?: string;
}

/** A DTI-style composite index: sum(maxPoints_i x value_i) / sum(maxPoints_i). */
export interface CompositeIndex {
  code: string;
  name: string;
  components: CompositeComponent[];
  description?: string;
}
