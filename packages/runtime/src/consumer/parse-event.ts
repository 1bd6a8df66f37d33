import type { StoredEvent } from '@tally/contracts';

/**
 * Events are validated at the boundary: a message that is not a well-formed stored event is refused here,
 * before any handler sees it.
 */
export class MalformedEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedEventError';
  }
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

export function parseStoredEvent(value: unknown): StoredEvent {
  if (typeof value !== 'object' || value === null) throw new MalformedEventError('event is not an object');
  const e = value as Record<string, unknown>;
  for (const field of ['id', 'type', 'source', 'subject', 'time', 'correlationId'] as const) {
    if (!isString(e[field])) throw new MalformedEventError(`event.${field} must be a non-empty string`);
  }
  if (!isCount(e.schemaVersion)) throw new MalformedEventError('event.schemaVersion must be a positive integer');
  if (!isCount(e.streamVersion)) throw new MalformedEventError('event.streamVersion must be a positive integer');
  if (!isCount(e.position)) throw new MalformedEventError('event.position must be a positive integer');
  if (typeof e.actor !== 'object' || e.actor === null || !isString((e.actor as Record<string, unknown>).id)) {
    throw new MalformedEventError('event.actor.id must be a non-empty string');
  }
  if (typeof e.data !== 'object' || e.data === null) throw new MalformedEventError('event.data must be an object');
  return value as StoredEvent;
}
