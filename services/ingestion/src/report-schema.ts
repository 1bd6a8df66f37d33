import { Code, OneOf, OrgUnitCode, ReportPeriod, Strict, SubmissionId, Type, type Static } from '@tally/runtime';

/**
 * The shape of a report on the wire (JSON Schema as TypeBox, checked by fastify before any handler runs, and by
 * check-shape.ts for inputs that arrive another way). Strict: unknown fields are refused, sizes are bounded.
 */
export const DataValueSchema = Strict({
  dataElement: Code,
  optionCombo: Type.Optional(Code),
  value: Type.Union([Type.Number(), Type.String({ maxLength: 10000 }), Type.Boolean()]),
  comment: Type.Optional(Type.String({ maxLength: 2000 })),
});

export const SubmitReportSchema = Strict({
  template: Code,
  orgUnit: OrgUnitCode,
  period: ReportPeriod,
  submissionId: SubmissionId,
  values: Type.Array(DataValueSchema, { maxItems: 5000 }),
  reason: Type.Optional(Type.String({ maxLength: 2000 })),
  figures: Type.Optional(OneOf(['estimate', 'official'])),
});

/** a report as submitted, once its shape is checked */
export type SubmitReportBody = Static<typeof SubmitReportSchema>;
