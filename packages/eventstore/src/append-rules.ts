import type { ExpectedVersion, NewEvent } from './port';

/** What every adapter checks the same way before and while it appends. */
export function versionMatches(expected: ExpectedVersion, actual: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === 0;
  return expected === actual;
}

export function validateAppend(streamId: string, events: NewEvent[], expected: ExpectedVersion): void {
  if (typeof streamId !== 'string' || streamId === '') throw new TypeError('streamId must be a non-empty string');
  if (expected !== 'any' && expected !== 'no_stream' && !(Number.isSafeInteger(expected) && expected >= 0)) {
    throw new TypeError(`invalid expected version ${String(expected)}`);
  }
  for (const e of events) {
    if (typeof e?.id !== 'string' || e.id === '' || typeof e.type !== 'string') {
      throw new TypeError('every event needs a string id and type');
    }
  }
}

/** Drops store-assigned fields, so re-appending a StoredEvent cannot smuggle in a stale version or position. */
export function envelopeOf(event: NewEvent): Record<string, unknown> {
  const { streamVersion: _v, position: _p, ...envelope } = event as NewEvent & { streamVersion?: unknown; position?: unknown };
  return envelope;
}
