/**
 * The one envelope every event travels in, CloudEvents-shaped.
 * On Kafka the envelope fields also travel as headers (see `envelopeHeaders`), the body is JSON.
 */
export interface Actor {
  /** account id or system name, e.g. "officer:05611" or "system:demo" */
  id: string;
  role?: string;
  orgUnit?: string;
  /** where the request came from (IP or peer), for the audit trail */
  origin?: string;
  /** the map version the account's unit was read in by the access check */
  unitHierarchy?: string;
  /** the target's map version, when the check crossed maps through the old-to-new mapping */
  checkedIn?: string;
}

export interface EventEnvelope<TType extends string = string, TData = unknown> {
  /** unique id of this event (uuid) */
  id: string;
  type: TType;
  /** the service that produced it, e.g. "tally/ingestion" */
  source: string;
  /** the stream key: the aggregate the event belongs to */
  subject: string;
  /** ISO 8601 instant the event was decided */
  time: string;
  schemaVersion: number;
  data: TData;
  actor: Actor;
  reason?: string;
  correlationId: string;
  causationId?: string;
  /** W3C trace context */
  traceparent?: string;
}

/** An event as the event store returns it: with its place in its stream and in the global log. */
export interface StoredEvent<TType extends string = string, TData = unknown> extends EventEnvelope<TType, TData> {
  streamVersion: number;
  /** global position in the event store; strictly increasing in append order */
  position: number;
}

export const ENVELOPE_HEADER_PREFIX = 'ce_';

/** The envelope fields as message headers (Kafka headers, embedded bus headers). */
export function envelopeHeaders(e: StoredEvent): Record<string, string> {
  const h: Record<string, string> = {
    ce_id: e.id,
    ce_type: e.type,
    ce_source: e.source,
    ce_subject: e.subject,
    ce_time: e.time,
    ce_specversion: '1.0',
    ce_schemaversion: String(e.schemaVersion),
    ce_correlationid: e.correlationId,
    ce_position: String(e.position),
    ce_streamversion: String(e.streamVersion),
  };
  if (e.causationId) h.ce_causationid = e.causationId;
  if (e.traceparent) h.traceparent = e.traceparent;
  return h;
}
