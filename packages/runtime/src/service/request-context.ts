import { randomUUID } from 'node:crypto';
import type { EventContext } from '@tally/contracts';
import type { FastifyRequest } from 'fastify';
import { activeTraceparent } from '../observability/tracing';

/**
 * Who is asking, from where, under which trace: the context every event decided for a request carries.
 * Authentication decorates the request with `tallyActor`; before it, callers are anonymous.
 */
declare module 'fastify' {
  interface FastifyRequest {
    tallyActor?: { id: string; role?: string; orgUnit?: string; unitHierarchy?: string; checkedIn?: string };
  }
}

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

export function eventContextOf(request: FastifyRequest, reason?: string): EventContext {
  const actor = request.tallyActor ?? { id: 'anonymous' };
  const header = request.headers.traceparent;
  // inside a traced request the event continues its span; untraced, the caller's trace context or a new one
  const traceparent = activeTraceparent() ?? (typeof header === 'string' && TRACEPARENT.test(header) ? header : newTraceparent());
  const correlation = request.headers['x-correlation-id'];
  return {
    actor: { ...actor, origin: request.ip },
    correlationId: typeof correlation === 'string' && correlation.length <= 128 ? correlation : randomUUID(),
    traceparent,
    ...(reason ? { reason } : {}),
  };
}

export function newTraceparent(): string {
  return `00-${randomUUID().replace(/-/g, '')}-${randomUUID().replace(/-/g, '').slice(0, 16)}-01`;
}
