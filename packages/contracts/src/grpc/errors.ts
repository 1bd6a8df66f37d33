import * as grpc from '@grpc/grpc-js';
import { TallyError, type ErrorCode } from '../errors';

/**
 * Error mapping across gRPC. A TallyError travels as a gRPC status (the closest standard code, for
 * generic clients and retry policies) plus trailing metadata carrying the exact Tally code, so the
 * client gets back the very same ErrorCode, message and details.
 */

/** Trailing-metadata key carrying the ErrorCode (ASCII). */
export const TALLY_ERROR_CODE_KEY = 'tally-error-code';
/** Trailing-metadata key carrying the error's details as UTF-8 JSON (binary: '-bin' values may hold any bytes). */
export const TALLY_ERROR_DETAILS_KEY = 'tally-error-details-bin';

const GRPC_STATUS: Record<ErrorCode, grpc.status> = {
  MALFORMED_JSON: grpc.status.INVALID_ARGUMENT,
  INVALID_REQUEST: grpc.status.INVALID_ARGUMENT,
  // gRPC itself answers RESOURCE_EXHAUSTED when a message exceeds the size limit
  PAYLOAD_TOO_LARGE: grpc.status.RESOURCE_EXHAUSTED,
  UNSUPPORTED_MEDIA_TYPE: grpc.status.INVALID_ARGUMENT,
  UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
  FORBIDDEN: grpc.status.PERMISSION_DENIED,
  NOT_FOUND: grpc.status.NOT_FOUND,
  // 422 over HTTP: the request names something that does not exist; as an argument it is invalid
  UNKNOWN_ORG_UNIT: grpc.status.INVALID_ARGUMENT,
  UNKNOWN_TEMPLATE: grpc.status.INVALID_ARGUMENT,
  UNKNOWN_DATA_ELEMENT: grpc.status.INVALID_ARGUMENT,
  UNKNOWN_HIERARCHY: grpc.status.INVALID_ARGUMENT,
  INVALID_PERIOD: grpc.status.INVALID_ARGUMENT,
  PERIOD_TEMPLATE_MISMATCH: grpc.status.INVALID_ARGUMENT,
  ORG_UNIT_LEVEL_MISMATCH: grpc.status.INVALID_ARGUMENT,
  ELEMENT_NOT_IN_TEMPLATE: grpc.status.INVALID_ARGUMENT,
  INVALID_VALUE: grpc.status.INVALID_ARGUMENT,
  VALIDATION_RULE_VIOLATED: grpc.status.INVALID_ARGUMENT,
  DUPLICATE_DATA_VALUE: grpc.status.INVALID_ARGUMENT,
  AMENDMENT_REASON_REQUIRED: grpc.status.INVALID_ARGUMENT,
  INVALID_CATALOG: grpc.status.INVALID_ARGUMENT,
  SUBMISSION_ID_REUSED: grpc.status.ALREADY_EXISTS,
  CATALOG_VERSION_EXISTS: grpc.status.ALREADY_EXISTS,
  REPORT_NOT_FOUND: grpc.status.NOT_FOUND,
  REPORT_LOCKED: grpc.status.FAILED_PRECONDITION,
  INVALID_TRANSITION: grpc.status.FAILED_PRECONDITION,
  NO_CATALOG: grpc.status.FAILED_PRECONDITION,
  // a lost expected-version race: retry the whole read-decide-append
  REPORT_VERSION_CONFLICT: grpc.status.ABORTED,
  // the read model has not reached the requested position yet: retry later
  NOT_CAUGHT_UP: grpc.status.UNAVAILABLE,
  RATE_LIMITED: grpc.status.RESOURCE_EXHAUSTED,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
  INTERNAL: grpc.status.INTERNAL,
  INVALID_FILE: grpc.status.INVALID_ARGUMENT,
  IMPORT_CONFLICT: grpc.status.FAILED_PRECONDITION,
  UPSTREAM_OWNED: grpc.status.FAILED_PRECONDITION,
  SYNC_GAP: grpc.status.FAILED_PRECONDITION,
};

/** Best guess of a Tally code for a bare gRPC status (from a peer that sent no tally-error-code). */
const FROM_GRPC_STATUS: Partial<Record<grpc.status, ErrorCode>> = {
  [grpc.status.INVALID_ARGUMENT]: 'INVALID_REQUEST',
  [grpc.status.OUT_OF_RANGE]: 'INVALID_REQUEST',
  [grpc.status.FAILED_PRECONDITION]: 'INVALID_REQUEST',
  [grpc.status.ALREADY_EXISTS]: 'INVALID_REQUEST',
  [grpc.status.NOT_FOUND]: 'NOT_FOUND',
  [grpc.status.UNAUTHENTICATED]: 'UNAUTHENTICATED',
  [grpc.status.PERMISSION_DENIED]: 'FORBIDDEN',
  [grpc.status.RESOURCE_EXHAUSTED]: 'RATE_LIMITED',
  [grpc.status.UNAVAILABLE]: 'UNAVAILABLE',
  [grpc.status.DEADLINE_EXCEEDED]: 'UNAVAILABLE',
  [grpc.status.CANCELLED]: 'UNAVAILABLE',
  [grpc.status.ABORTED]: 'UNAVAILABLE',
};

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(GRPC_STATUS, code);
}

/** The gRPC status a Tally error code travels as. */
export function toGrpcStatus(code: ErrorCode): grpc.status {
  return GRPC_STATUS[code];
}

/** What a server handler passes to its callback (or emits) for an error: a grpc-js ServiceError. */
export type GrpcServiceError = grpc.ServiceError;

function isGrpcStatusLike(err: unknown): err is grpc.ServiceError {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { code?: unknown }).code === 'number' &&
    (err as { metadata?: unknown }).metadata instanceof grpc.Metadata
  );
}

/**
 * Server side: turns anything thrown by a handler into a gRPC error.
 * - a TallyError, or any error with a known `code` (e.g. core's DomainError): its status, the message
 *   as details, the code (and JSON details) in trailing metadata;
 * - an error that already is a gRPC status (numeric code + Metadata): passed through;
 * - anything else: INTERNAL with a generic message (internals are not leaked to callers).
 */
export function grpcErrorFrom(err: unknown): GrpcServiceError {
  if (isGrpcStatusLike(err)) return err;
  const codeOf = (err as { code?: unknown } | null)?.code;
  if (err instanceof Error && isErrorCode(codeOf)) {
    const metadata = new grpc.Metadata();
    metadata.set(TALLY_ERROR_CODE_KEY, codeOf);
    const details = (err as { details?: unknown }).details;
    if (details !== undefined) {
      try {
        const json = JSON.stringify(details);
        if (json !== undefined) metadata.set(TALLY_ERROR_DETAILS_KEY, Buffer.from(json, 'utf8'));
      } catch {
        // unserializable details (cycles, bigint) are dropped; code and message still travel
      }
    }
    return Object.assign(new Error(err.message), { code: toGrpcStatus(codeOf), details: err.message, metadata });
  }
  const metadata = new grpc.Metadata();
  metadata.set(TALLY_ERROR_CODE_KEY, 'INTERNAL');
  return Object.assign(new Error('internal error'), { code: grpc.status.INTERNAL, details: 'internal error', metadata });
}

/**
 * Client side: turns a failed call's error back into a TallyError with the server's code, message and
 * details. A status without tally-error-code (another peer, or a transport failure) gets the closest
 * code (UNAVAILABLE for DEADLINE_EXCEEDED/UNAVAILABLE/CANCELLED, INTERNAL for the rest).
 */
export function tallyErrorFromGrpc(err: unknown): TallyError {
  if (err instanceof TallyError) return err;
  if (typeof err !== 'object' || err === null) return new TallyError('INTERNAL', String(err));
  const e = err as Partial<grpc.ServiceError>;
  const message = typeof e.details === 'string' && e.details !== '' ? e.details : (e.message ?? 'gRPC call failed');
  const metadata = e.metadata instanceof grpc.Metadata ? e.metadata : undefined;
  const sent = metadata?.get(TALLY_ERROR_CODE_KEY)[0];
  const sentCode = typeof sent === 'string' && isErrorCode(sent) ? sent : undefined;
  let details: unknown;
  const rawDetails = metadata?.get(TALLY_ERROR_DETAILS_KEY)[0];
  if (rawDetails !== undefined) {
    try {
      details = JSON.parse(Buffer.isBuffer(rawDetails) ? rawDetails.toString('utf8') : rawDetails);
    } catch {
      details = undefined;
    }
  }
  const code: ErrorCode = sentCode ?? (typeof e.code === 'number' ? FROM_GRPC_STATUS[e.code as grpc.status] : undefined) ?? 'INTERNAL';
  if (sentCode === undefined && typeof e.code === 'number') {
    details = { grpcStatus: e.code, grpcStatusName: grpc.status[e.code] };
  }
  return new TallyError(code, message, details);
}
