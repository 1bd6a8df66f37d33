import { status } from '@grpc/grpc-js';

/**
 * Errors are values with codes, mapped once (ERROR_CATALOG) to HTTP and gRPC status.
 */
export type ErrorCode =
  | 'MALFORMED_JSON'
  | 'JSON_TOO_DEEP'
  | 'HEADERS_TOO_LARGE'
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
  /** a catalog's aggregation type cannot be applied as asked (core's aggregation rules) */
  | 'INVALID_AGGREGATION'
  | 'AMENDMENT_REASON_REQUIRED'
  | 'SUBMISSION_ID_REUSED'
  | 'REPORT_NOT_FOUND'
  | 'REPORT_LOCKED'
  | 'INVALID_TRANSITION'
  | 'REPORT_VERSION_CONFLICT'
  /** any other stream's expected-version race (the event store's generic conflict) */
  | 'STREAM_VERSION_CONFLICT'
  | 'INVALID_CATALOG'
  | 'CATALOG_VERSION_EXISTS'
  | 'NO_CATALOG'
  | 'INVALID_DATASET'
  | 'DATASET_EXISTS'
  | 'NOT_CAUGHT_UP'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'INTERNAL'
  // imports and federation (issue 15)
  | 'INVALID_FILE'
  | 'IMPORT_CONFLICT'
  | 'UPSTREAM_OWNED'
  | 'SYNC_GAP';

/**
 * THE error catalog: each code with its HTTP status and its gRPC status (the closest standard code, for generic
 * clients and retry policies; the exact code travels in trailing metadata). Adding a code is one row here.
 */
export const ERROR_CATALOG: Readonly<Record<ErrorCode, { http: number; grpc: status }>> = {
  MALFORMED_JSON: { http: 400, grpc: status.INVALID_ARGUMENT },
  INVALID_REQUEST: { http: 400, grpc: status.INVALID_ARGUMENT },
  // gRPC itself answers RESOURCE_EXHAUSTED when a message exceeds the size limit
  PAYLOAD_TOO_LARGE: { http: 413, grpc: status.RESOURCE_EXHAUSTED },
  UNSUPPORTED_MEDIA_TYPE: { http: 415, grpc: status.INVALID_ARGUMENT },
  UNAUTHENTICATED: { http: 401, grpc: status.UNAUTHENTICATED },
  FORBIDDEN: { http: 403, grpc: status.PERMISSION_DENIED },
  NOT_FOUND: { http: 404, grpc: status.NOT_FOUND },
  // 422 over HTTP: the request names something that does not exist; as an argument it is invalid
  UNKNOWN_ORG_UNIT: { http: 422, grpc: status.INVALID_ARGUMENT },
  UNKNOWN_TEMPLATE: { http: 422, grpc: status.INVALID_ARGUMENT },
  UNKNOWN_DATA_ELEMENT: { http: 422, grpc: status.INVALID_ARGUMENT },
  UNKNOWN_HIERARCHY: { http: 400, grpc: status.INVALID_ARGUMENT },
  INVALID_PERIOD: { http: 422, grpc: status.INVALID_ARGUMENT },
  PERIOD_TEMPLATE_MISMATCH: { http: 422, grpc: status.INVALID_ARGUMENT },
  ORG_UNIT_LEVEL_MISMATCH: { http: 422, grpc: status.INVALID_ARGUMENT },
  ELEMENT_NOT_IN_TEMPLATE: { http: 422, grpc: status.INVALID_ARGUMENT },
  INVALID_VALUE: { http: 422, grpc: status.INVALID_ARGUMENT },
  VALIDATION_RULE_VIOLATED: { http: 422, grpc: status.INVALID_ARGUMENT },
  DUPLICATE_DATA_VALUE: { http: 422, grpc: status.INVALID_ARGUMENT },
  AMENDMENT_REASON_REQUIRED: { http: 422, grpc: status.INVALID_ARGUMENT },
  SUBMISSION_ID_REUSED: { http: 409, grpc: status.ALREADY_EXISTS },
  REPORT_NOT_FOUND: { http: 404, grpc: status.NOT_FOUND },
  REPORT_LOCKED: { http: 409, grpc: status.FAILED_PRECONDITION },
  INVALID_TRANSITION: { http: 409, grpc: status.FAILED_PRECONDITION },
  // a lost expected-version race: retry the whole read-decide-append
  REPORT_VERSION_CONFLICT: { http: 409, grpc: status.ABORTED },
  // the same race on a stream that is not a report's (catalog, hierarchy, account, task, dataset...)
  STREAM_VERSION_CONFLICT: { http: 409, grpc: status.ABORTED },
  INVALID_CATALOG: { http: 422, grpc: status.INVALID_ARGUMENT },
  CATALOG_VERSION_EXISTS: { http: 409, grpc: status.ALREADY_EXISTS },
  NO_CATALOG: { http: 409, grpc: status.FAILED_PRECONDITION },
  // the read model has not reached the requested position yet: retry later
  NOT_CAUGHT_UP: { http: 409, grpc: status.UNAVAILABLE },
  RATE_LIMITED: { http: 429, grpc: status.RESOURCE_EXHAUSTED },
  UNAVAILABLE: { http: 503, grpc: status.UNAVAILABLE },
  INTERNAL: { http: 500, grpc: status.INTERNAL },
  INVALID_AGGREGATION: { http: 422, grpc: status.INVALID_ARGUMENT },
  JSON_TOO_DEEP: { http: 400, grpc: status.INVALID_ARGUMENT },
  HEADERS_TOO_LARGE: { http: 431, grpc: status.INVALID_ARGUMENT },
  INVALID_DATASET: { http: 422, grpc: status.INVALID_ARGUMENT },
  DATASET_EXISTS: { http: 409, grpc: status.ALREADY_EXISTS },
  INVALID_FILE: { http: 400, grpc: status.INVALID_ARGUMENT },
  IMPORT_CONFLICT: { http: 409, grpc: status.FAILED_PRECONDITION },
  UPSTREAM_OWNED: { http: 409, grpc: status.FAILED_PRECONDITION },
  SYNC_GAP: { http: 409, grpc: status.FAILED_PRECONDITION },
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
    return this.statusOverride ?? ERROR_CATALOG[this.code].http;
  }
  toJSON(): { error: { code: ErrorCode; message: string; details?: unknown } } {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CATALOG[code].http;
}

/** The gRPC status a code travels as. */
export function grpcStatusOf(code: ErrorCode): status {
  return ERROR_CATALOG[code].grpc;
}

/** Type guard: one of the catalog's codes. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CATALOG, code);
}

export const isTallyError = (e: unknown): e is TallyError => e instanceof TallyError;

/** The two codes of a lost expected-version race: a report's stream (as the report API documents) or any other. */
export type VersionConflictCode = Extract<ErrorCode, 'REPORT_VERSION_CONFLICT' | 'STREAM_VERSION_CONFLICT'>;

/**
 * A condition that passes on its own (a peer not caught up or unavailable, a busy lock, a dropped connection):
 * consumers retry it without counting it toward dead-lettering, callers may retry it.
 */
export class RetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryableError';
  }
}

const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['UNAVAILABLE', 'NOT_CAUGHT_UP', 'RATE_LIMITED']);
/** Error codes of Node and the drivers that mean "the other side is (for now) not there". */
const TRANSIENT_SYSTEM_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'SQLITE_BUSY', 'SQLITE_LOCKED']);
const TRANSIENT_DRIVER_ERRORS = new Set(['MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoServerSelectionError', 'MongoNotConnectedError', 'KafkaJSConnectionError', 'KafkaJSNumberOfRetriesExceeded']);

/** True for an error worth retrying as is: RetryableError, a TallyError with a retryable code, or a connection failure. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof RetryableError) return true;
  if (err instanceof TallyError) return RETRYABLE_CODES.has(err.code);
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && TRANSIENT_SYSTEM_CODES.has(code)) return true;
  return TRANSIENT_DRIVER_ERRORS.has(err.name);
}
