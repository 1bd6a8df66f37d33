import type { Catalog, DataElement, ReportTemplate } from '../catalog/types';
import type { DataValue } from './events';

/**
 * Synchronous checks of a submission against the catalog, the hierarchy and the period rules.
 * Returns every problem found, each with its own code, so a caller fixes everything in one go.
 */
export interface SubmissionProblem {
  code:
    | 'UNKNOWN_TEMPLATE'
    | 'UNKNOWN_ORG_UNIT'
    | 'INVALID_PERIOD'
    | 'PERIOD_TEMPLATE_MISMATCH'
    | 'ORG_UNIT_LEVEL_MISMATCH'
    | 'UNKNOWN_DATA_ELEMENT'
    | 'ELEMENT_NOT_IN_TEMPLATE'
    | 'INVALID_VALUE'
    | 'DUPLICATE_DATA_VALUE';
  message: string;
  path?: string;
}

export interface SubmissionContext {
  catalog: Catalog;
  /** the period parsed by the period module, or null when the code is invalid */
  period: { type: string; endDate: string } | null;
  /** the unit in the hierarchy in force for the period, or undefined when unknown there */
  unit: { code: string; level: string } | undefined;
  /** option combo codes allowed per category combo */
  optionCombosOf: (comboCode: string) => string[];
}

export interface SubmissionInput {
  template: string;
  orgUnit: string;
  period: string;
  values: DataValue[];
}

export function validateSubmission(input: SubmissionInput, ctx: SubmissionContext): SubmissionProblem[] {
  const problems: SubmissionProblem[] = [];
  const template: ReportTemplate | undefined = ctx.catalog.templates.find((t) => t.code === input.template);
  if (!template) problems.push({ code: 'UNKNOWN_TEMPLATE', message: `unknown template ${input.template}`, path: 'template' });
  if (!ctx.unit) problems.push({ code: 'UNKNOWN_ORG_UNIT', message: `unknown org unit ${input.orgUnit}`, path: 'orgUnit' });
  if (!ctx.period) problems.push({ code: 'INVALID_PERIOD', message: `invalid period ${input.period}`, path: 'period' });
  if (template && ctx.period && ctx.period.type !== template.periodType) {
    problems.push({
      code: 'PERIOD_TEMPLATE_MISMATCH',
      message: `template ${template.code} is reported per ${template.periodType} period; ${input.period} is ${ctx.period.type}`,
      path: 'period',
    });
  }
  if (template && ctx.unit && ctx.unit.level !== template.reportingLevel) {
    problems.push({
      code: 'ORG_UNIT_LEVEL_MISMATCH',
      message: `template ${template.code} is reported by ${template.reportingLevel} units; ${input.orgUnit} is a ${ctx.unit.level}`,
      path: 'orgUnit',
    });
  }
  const elements = new Map(ctx.catalog.dataElements.map((e) => [e.code, e]));
  const seen = new Set<string>();
  input.values.forEach((v, i) => {
    const path = `values[${i}]`;
    const element = elements.get(v.dataElement);
    if (!element) {
      problems.push({ code: 'UNKNOWN_DATA_ELEMENT', message: `unknown data element ${v.dataElement}`, path });
      return;
    }
    if (template && !template.dataElements.includes(v.dataElement)) {
      problems.push({ code: 'ELEMENT_NOT_IN_TEMPLATE', message: `${v.dataElement} is not part of template ${template.code}`, path });
    }
    const key = `${v.dataElement}.${v.optionCombo ?? ''}`;
    if (seen.has(key)) problems.push({ code: 'DUPLICATE_DATA_VALUE', message: `${v.dataElement}${v.optionCombo ? '.' + v.optionCombo : ''} appears twice`, path });
    seen.add(key);
    const optionProblem = checkOptionCombo(element, v.optionCombo, ctx);
    if (optionProblem) problems.push({ code: 'INVALID_VALUE', message: optionProblem, path: `${path}.optionCombo` });
    const valueProblem = checkValueType(element, v.value) ?? checkRange(element, v.value);
    if (valueProblem) problems.push({ code: 'INVALID_VALUE', message: valueProblem, path: `${path}.value` });
  });
  return problems;
}

function checkOptionCombo(element: DataElement, optionCombo: string | undefined, ctx: SubmissionContext): string | null {
  if (optionCombo === undefined) return null;
  if (!element.categoryCombo) return `${element.code} is not disaggregated; remove optionCombo ${optionCombo}`;
  if (!ctx.optionCombosOf(element.categoryCombo).includes(optionCombo)) {
    return `${optionCombo} is not an option combination of ${element.categoryCombo}`;
  }
  return null;
}

const MAX_ABS = 1e15;

function checkValueType(element: DataElement, value: unknown): string | null {
  switch (element.valueType) {
    case 'INTEGER':
      return typeof value === 'number' && Number.isSafeInteger(value) && Math.abs(value) < MAX_ABS ? null : `${element.code} takes a whole number (below 10^15)`;
    case 'NUMBER':
    case 'MONEY':
      return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < MAX_ABS ? null : `${element.code} takes a finite number`;
    case 'PERCENTAGE':
      return typeof value === 'number' && value >= 0 && value <= 100 ? null : `${element.code} takes a percentage from 0 to 100`;
    case 'BOOLEAN':
      return typeof value === 'boolean' ? null : `${element.code} takes true or false`;
    case 'TEXT':
      return typeof value === 'string' && value.length <= 10_000 ? null : `${element.code} takes text (at most 10,000 characters)`;
  }
}

/**
 * What the catalog declares blocking: a negative count (an INTEGER element, unless it `allowNegative`), and a value
 * outside [min, max] when the element's `onOutOfRange` is REJECT (WARN, the default, only records a warning later).
 */
function checkRange(element: DataElement, value: unknown): string | null {
  if (typeof value !== 'number') return null;
  if (element.valueType === 'INTEGER' && value < 0 && element.allowNegative !== true) return `${element.code} counts: ${value} is negative`;
  if (element.onOutOfRange !== 'REJECT') return null;
  if (element.min !== undefined && value < element.min) return `${element.code} = ${value} is below its minimum ${element.min}`;
  if (element.max !== undefined && value > element.max) return `${element.code} = ${value} is above its maximum ${element.max}`;
  return null;
}
