import { reportStream, reportStreamId, type ReportKey, type ReportState } from '@tally/core';
import { loadStream, type EventStore } from '@tally/eventstore';

/** A report's current state, folded from its stream (the event store is the truth; no read model involved). */
export async function readReportState(store: EventStore, key: ReportKey): Promise<ReportState> {
  return (await loadStream(store, reportStreamId(key), reportStream)).state;
}

/** A report's state and who last set its values, when (DHIS2's storedBy and lastUpdated). */
export async function readReportWithMeta(store: EventStore, key: ReportKey): Promise<{ state: ReportState; storedBy?: string; lastUpdated?: string }> {
  const { state, events } = await loadStream(store, reportStreamId(key), reportStream);
  const lastValues = events.filter(({ event }) => event.type === 'tally.report.submitted' || event.type === 'tally.report.amended').at(-1)?.stored;
  return { state, ...(lastValues ? { storedBy: lastValues.actor.id, lastUpdated: lastValues.time } : {}) };
}
