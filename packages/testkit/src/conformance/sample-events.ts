import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@tally/contracts';

/** A full envelope (every optional field set), so round-trip tests notice a dropped field. */
export function sampleEvent(subject: string, n: number, overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  return {
    id: randomUUID(),
    type: 'ReportSubmitted',
    source: 'tally/testkit',
    subject,
    time: new Date(Date.UTC(2025, 6, 1, 0, 0, n)).toISOString(),
    schemaVersion: 1,
    data: { n, values: { HH_TOTAL: n * 10, ratio: 0.25 }, note: 'Hà Nội ✓', tags: ['a', 'b'], nothing: null },
    actor: { id: 'officer:05611', role: 'commune-officer', orgUnit: 'VN-01-001', origin: '10.0.0.1' },
    reason: 'conformance',
    correlationId: randomUUID(),
    causationId: randomUUID(),
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    ...overrides,
  };
}
