import type { ReportViolation } from './report-checks';

/** a violation as checked (ReportViolation) or as recorded in an event (left and right may be null) */
type Described = Pick<ReportViolation, 'kind' | 'rule' | 'name' | 'elementName'> & { left: number | null; operator: string; right: number | null };

/**
 * A violation as one sentence in Vietnamese. The checks record their `message` in English (events keep it as
 * recorded); a Vietnamese reader (the inbox, e-mail) gets this instead, built from the violation's fields.
 */
export function violationTextVi(v: Described): string {
  const element = v.elementName ?? v.name;
  switch (v.kind) {
    case 'MIN_MAX':
      return `${element} (${v.rule}) = ${v.left} ${v.operator === '>=' ? 'thấp hơn mức tối thiểu' : 'vượt mức tối đa'} ${v.right}`;
    case 'OUTLIER':
      return `${element} (${v.rule}) = ${v.left} khác xa các kỳ trước của đơn vị (ngưỡng ${v.right})`;
    default:
      return `${v.name} (${v.rule}): ${v.left} ${v.operator} ${v.right}`;
  }
}
