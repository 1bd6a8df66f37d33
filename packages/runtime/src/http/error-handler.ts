import { TallyError, isErrorCode, isTallyError, type ErrorCode, type VersionConflictCode } from '@tally/contracts';
import { isDomainError, parseReportStreamId } from '@tally/core';
import { isStreamVersionConflict } from '@tally/eventstore';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Every error leaves the API as `{"error": {"code", "message", "details"}}` with a 4xx, or a 500 INTERNAL
 * that is logged (and is a bug). Errors are values with codes; this is the one place they become HTTP.
 */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_REQUEST',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
};

const FIXED_MESSAGES: Partial<Record<ErrorCode, string>> = {
  MALFORMED_JSON: 'the body is not valid JSON',
  UNSUPPORTED_MEDIA_TYPE: 'this content type is not accepted; send application/json',
};

/**
 * The code a lost expected-version race answers: a report's stream keeps the documented `REPORT_VERSION_CONFLICT`,
 * any other stream the event store's generic `STREAM_VERSION_CONFLICT`.
 */
export function versionConflictCode(streamId: string): VersionConflictCode {
  return parseReportStreamId(streamId) ? 'REPORT_VERSION_CONFLICT' : 'STREAM_VERSION_CONFLICT';
}

export function toTallyError(err: unknown): TallyError {
  if (isTallyError(err)) return err;
  // a domain refusal carries one of the catalog's codes; an unknown one is a bug (INTERNAL, logged)
  if (isDomainError(err)) return isErrorCode(err.code) ? new TallyError(err.code, err.message, err.details) : new TallyError('INTERNAL', 'internal error');
  if (isStreamVersionConflict(err)) return new TallyError(versionConflictCode(err.streamId), err.message);
  const e = err as Partial<FastifyError> & { code?: string; details?: unknown; name?: string };
  if (e && typeof e === 'object') {
    if (e.validation) {
      return new TallyError('INVALID_REQUEST', `request ${e.validationContext ?? ''} is invalid: ${e.message}`.replace('  ', ' '), e.validation);
    }
    // fastify's JSON parser refuses __proto__ / constructor.prototype keys: hostile, not merely malformed
    if (/forbidden prototype property/i.test(e.message ?? '')) return new TallyError('INVALID_REQUEST', e.message ?? 'forbidden property');
    // fastify's messages quote the body or the content type: answer with fixed ones (errors never echo the request)
    if (e.code && FASTIFY_CODES[e.code]) return new TallyError(FASTIFY_CODES[e.code]!, FIXED_MESSAGES[FASTIFY_CODES[e.code]!] ?? e.message ?? e.code);
    if (e instanceof SyntaxError) return new TallyError('MALFORMED_JSON', 'the body is not valid JSON'); // its message may quote the body
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      return new TallyError(e.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : e.statusCode === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'INVALID_REQUEST', e.message ?? 'bad request');
    }
  }
  return new TallyError('INTERNAL', 'internal error');
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const tallyError = toTallyError(err);
    if (tallyError.code === 'INTERNAL') request.log.error({ err }, 'unhandled error');
    if (tallyError.code === 'RATE_LIMITED' && tallyError.details && typeof tallyError.details === 'object') {
      const retry = (tallyError.details as { retryAfterSec?: number }).retryAfterSec;
      if (retry !== undefined) void reply.header('retry-after', String(retry));
    }
    void reply.status(tallyError.httpStatus).send(tallyError.toJSON());
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(new TallyError('NOT_FOUND', `no route ${request.method} for this path`).toJSON()); // the path is not echoed
  });
}
