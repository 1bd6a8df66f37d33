import type { EventStore, ExpectedVersion, NewEvent } from '@tally/eventstore';
import { StreamVersionConflictError } from '@tally/eventstore';

/**
 * Load a stream, decide, append with the version that was read; on a lost race, decide again on the new state.
 * A conflict only reaches the caller when it persists after `attempts` tries.
 *
 * Transitional: the notification and open-data streams (tasks, deadline notices, webhooks, dataset definitions
 * and releases) were written against this raw-history form before every report, account, catalog and target
 * command moved to `handleCommand` (@tally/eventstore) with typed, upcast stream schemas. Those streams still
 * need their schemas; until then they decide on the raw history here. New commands use `handleCommand`.
 */
export async function decideAndAppend<R>(
  store: EventStore,
  streamId: string,
  decide: (events: Awaited<ReturnType<EventStore['readStream']>>) => { events: NewEvent[]; result: (positions: number[], version: number) => R } | { result: R },
  attempts = 5,
): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    const history = await store.readStream(streamId);
    const version = history.length === 0 ? 0 : history[history.length - 1]!.streamVersion;
    const decision = decide(history);
    if (!('events' in decision)) return decision.result;
    const expected: ExpectedVersion = version === 0 ? 'no_stream' : version;
    try {
      const appended = await store.append(streamId, decision.events, expected);
      return decision.result(appended.positions, appended.nextVersion);
    } catch (err) {
      if (!(err instanceof StreamVersionConflictError) || attempt >= attempts) throw err;
    }
  }
}
