/**
 * Errors are values with codes, mapped once to HTTP and gRPC status (see runtime's error mapping).
 */
export type ErrorCode =
  | 'MALFORMED_JSON'
  | 'INVALID_REQUEST'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'UNKNOWN_ORG_UNIT'
  | 'UNKNOWN_TEMPLATE'
  | 'UNKNOWN_DATA_ELEMENT'
  | 'UNKNOWN_HIERARCHY'
  | 'INVALID_PERIOD'
  | 'PERIOD_TEMPLATE_MISMATCH'
  | 'ORG_UNIT_LEVEL_MISMATCH'
  | 'ELEMENT_NOT_IN_TEMPLATE'
  | 'INVALID_VALUE'
  | 'VALIDATION_RULE_VIOLATED'
  | 'DUPLICATE_DATA_VALUE'
  | 'AMENDMENT_REASON_REQUIRED'
  | 'SUBMISSION_ID_REUSED'
  | 'REPORT_NOT_FOUND'
  | 'REPORT_LOCKED'
  | 'INVALID_TRANSITION'
  | 'REPORT_VERSION_CONFLICT'
  | 'INVALID_CATALOG'
  | 'CATALOG_VERSION_EXISTS'
  | 'NO_CATALOG'
  | 'NOT_CAUGHT_UP'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'INTERNAL'
  // imports and federation (issue 15)
  | 'INVALID_FILE'
  | 'IMPORT_CONFLICT'
  | 'UPSTREAM_OWNED'
  | 'SYNC_GAP';

const HTTP_STATUS: Record<ErrorCode, number> = {
  MALFORMED_JSON: 400,
  INVALID_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  UNKNOWN_ORG_UNIT: 422,
  UNKNOWN_TEMPLATE: 422,
  UNKNOWN_DATA_ELEMENT: 422,
  UNKNOWN_HIERARCHY: 400,
  INVALID_PERIOD: 422,
  PERIOD_TEMPLATE_MISMATCH: 422,
  ORG_UNIT_LEVEL_MISMATCH: 422,
  ELEMENT_NOT_IN_TEMPLATE: 422,
  INVALID_VALUE: 422,
  VALIDATION_RULE_VIOLATED: 422,
  DUPLICATE_DATA_VALUE: 422,
  AMENDMENT_REASON_REQUIRED: 422,
  SUBMISSION_ID_REUSED: 409,
  REPORT_NOT_FOUND: 404,
  REPORT_LOCKED: 409,
  INVALID_TRANSITION: 409,
  REPORT_VERSION_CONFLICT: 409,
  INVALID_CATALOG: 422,
  CATALOG_VERSION_EXISTS: 409,
  NO_CATALOG: 409,
  NOT_CAUGHT_UP: 409,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
  INVALID_FILE: 400,
  IMPORT_CONFLICT: 409,
  UPSTREAM_OWNED: 409,
  SYNC_GAP: 409,
};

export class TallyError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** a lookup of a missing resource answers 404 even when its code is a validation code */
    private readonly statusOverride?: number,
  ) {
    super(message);
    this.name = 'TallyError';
  }
  get httpStatus(): number {
    return this.statusOverride ?? HTTP_STATUS[this.code];
  }
  toJSON(): { error: { code: ErrorCode; message: string; details?: unknown } } {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code];
}

export const isTallyError = (e: unknown): e is TallyError => e instanceof TallyError;
