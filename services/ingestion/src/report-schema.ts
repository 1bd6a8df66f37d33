/**
 * The shape of a report on the wire (JSON Schema, checked by fastify before any handler runs).
 * Strict: unknown fields are refused, sizes are bounded.
 */
export const CODE = '^[A-Z][A-Z0-9_]{0,63}$';
export const ORG_UNIT = '^(VN|[0-9]{2,5})$';

export const dataValueSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['dataElement', 'value'],
  properties: {
    dataElement: { type: 'string', pattern: CODE },
    optionCombo: { type: 'string', pattern: CODE },
    value: { anyOf: [{ type: 'number' }, { type: 'string', maxLength: 10000 }, { type: 'boolean' }] },
    comment: { type: 'string', maxLength: 2000 },
  },
} as const;

export const submitReportSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['template', 'orgUnit', 'period', 'submissionId', 'values'],
  properties: {
    template: { type: 'string', pattern: CODE },
    orgUnit: { type: 'string', pattern: ORG_UNIT },
    period: { type: 'string', minLength: 4, maxLength: 8 },
    submissionId: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' },
    values: { type: 'array', maxItems: 5000, items: dataValueSchema },
    reason: { type: 'string', maxLength: 2000 },
    figures: { type: 'string', enum: ['estimate', 'official'] },
  },
} as const;
