import { randomUUID } from 'node:crypto';
import type { Actor, EventEnvelope } from './envelope';

/** Who, when, why and a trace context: what every new event carries. */
export interface EventContext {
  actor: Actor;
  correlationId: string;
  causationId?: string;
  traceparent?: string;
  reason?: string;
  /** ISO instant; defaults to now */
  time?: string;
}

export function newEvent<TType extends string, TData>(
  source: string,
  subject: string,
  event: { type: TType; data: TData },
  ctx: EventContext,
  id: string = randomUUID(),
): EventEnvelope<TType, TData> {
  return {
    id,
    type: event.type,
    source,
    subject,
    time: ctx.time ?? new Date().toISOString(),
    schemaVersion: 1,
    data: event.data,
    actor: ctx.actor,
    correlationId: ctx.correlationId,
    ...(ctx.reason ? { reason: ctx.reason } : {}),
    ...(ctx.causationId ? { causationId: ctx.causationId } : {}),
    ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}),
  };
}
