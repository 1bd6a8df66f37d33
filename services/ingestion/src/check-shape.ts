import { TallyError } from '@tally/contracts';
import { Ajv } from 'ajv';
import { SubmitReportSchema } from './report-schema';
import type { SubmitReportInput } from './submit-report';

/**
 * The same shape check HTTP applies, for inputs that arrive another way (gRPC, file uploads),
 * so every entry point refuses the same things with the same code.
 */
const ajv = new Ajv({ allErrors: true, coerceTypes: false, removeAdditional: false });
const validate = ajv.compile<SubmitReportInput>(SubmitReportSchema);

export function checkSubmitShape(input: unknown): SubmitReportInput {
  if (!validate(input)) {
    throw new TallyError('INVALID_REQUEST', `report is invalid: ${ajv.errorsText(validate.errors)}`, validate.errors);
  }
  return input;
}
