import { evolveReport, initialReportState, reportStreamId, type ReportEvent, type ReportKey, type ReportState } from '@tally/core';
import type { EventStore } from '@tally/eventstore';

/** A report's current state, folded from its stream (the event store is the truth; no read model involved). */
export async function readReportState(store: EventStore, key: ReportKey): Promise<ReportState> {
  let state = initialReportState();
  for (const e of await store.readStream(reportStreamId(key))) {
    state = evolveReport(state, e as unknown as ReportEvent, { streamVersion: e.streamVersion, position: e.position });
  }
  return state;
}

/** A report's state and who last set its values, when (DHIS2's storedBy and lastUpdated). */
export async function readReportWithMeta(store: EventStore, key: ReportKey): Promise<{ state: ReportState; storedBy?: string; lastUpdated?: string }> {
  let state = initialReportState();
  let storedBy: string | undefined;
  let lastUpdated: string | undefined;
  for (const e of await store.readStream(reportStreamId(key))) {
    state = evolveReport(state, e as unknown as ReportEvent, { streamVersion: e.streamVersion, position: e.position });
    if (e.type === 'tally.report.submitted' || e.type === 'tally.report.amended') {
      storedBy = e.actor.id;
      lastUpdated = e.time;
    }
  }
  return { state, ...(storedBy ? { storedBy } : {}), ...(lastUpdated ? { lastUpdated } : {}) };
}
