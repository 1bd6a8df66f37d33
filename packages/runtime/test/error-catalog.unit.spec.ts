import { describe, expect, it } from 'vitest';
import { status as grpcStatus } from '@grpc/grpc-js';
import { ERROR_CATALOG, RetryableError, TallyError, grpcErrorFrom, isErrorCode, isRetryable, type ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/core';
import { StreamVersionConflictError } from '@tally/eventstore';
import { toTallyError } from '@tally/runtime';

describe('the error catalog', () => {
  it('gives every code an HTTP status (4xx, or 5xx for INTERNAL/UNAVAILABLE) and a gRPC status', () => {
    for (const [code, { http, grpc }] of Object.entries(ERROR_CATALOG)) {
      expect(isErrorCode(code)).toBe(true);
      expect(http >= 400 && http < 600, code).toBe(true);
      expect(http >= 500).toBe(code === 'INTERNAL' || code === 'UNAVAILABLE');
      expect(grpc, code).toBeGreaterThan(0);
      expect(grpcErrorFrom(new TallyError(code as ErrorCode, 'x')).code).toBe(grpc);
    }
    expect(isErrorCode('NO_SUCH_CODE')).toBe(false);
  });

  it('maps errors by type, not by name: a domain refusal keeps its code, an unknown domain code is a bug, a conflict is 409', () => {
    expect(toTallyError(new DomainError('INVALID_AGGREGATION', 'no')).httpStatus).toBe(422);
    expect(toTallyError(new DomainError('REPORT_LOCKED', 'locked'))).toMatchObject({ code: 'REPORT_LOCKED', httpStatus: 409 });
    expect(toTallyError(new DomainError('NOT_A_CODE', 'x')).code).toBe('INTERNAL');
    // the generic store's race has its own code; a report's stream keeps the documented REPORT_VERSION_CONFLICT
    expect(toTallyError(new StreamVersionConflictError('s', 1, 2))).toMatchObject({ code: 'STREAM_VERSION_CONFLICT', httpStatus: 409 });
    expect(toTallyError(new StreamVersionConflictError('catalog', 1, 2)).code).toBe('STREAM_VERSION_CONFLICT');
    expect(toTallyError(new StreamVersionConflictError('report-POVERTY_HH-19-2026Q1', 3, 4))).toMatchObject({ code: 'REPORT_VERSION_CONFLICT', httpStatus: 409 });
    expect(grpcErrorFrom(toTallyError(new StreamVersionConflictError('s', 1, 2))).code).toBe(grpcStatus.ABORTED);
    // an error merely named like one is not one
    expect(toTallyError(Object.assign(new Error('x'), { name: 'DomainError', code: 'REPORT_LOCKED' })).code).toBe('INTERNAL');
  });

  it('tells retryable conditions from the rest', () => {
    expect(isRetryable(new RetryableError('busy'))).toBe(true);
    expect(isRetryable(new TallyError('NOT_CAUGHT_UP', 'later'))).toBe(true);
    expect(isRetryable(Object.assign(new Error('x'), { code: 'SQLITE_BUSY' }))).toBe(true);
    expect(isRetryable(new TallyError('INVALID_REQUEST', 'no'))).toBe(false);
    expect(isRetryable(new DomainError('REPORT_LOCKED', 'no'))).toBe(false);
    expect(isRetryable(new Error('boom'))).toBe(false);
  });
});
