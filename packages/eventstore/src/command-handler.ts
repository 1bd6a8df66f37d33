import type { StoredEvent } from '@tally/contracts';
import { currentSchemaVersion, isEventOf, readEvent, type DomainEvent, type SourcedStream } from '@tally/core';
import { StreamVersionConflictError, type AppendResult, type EventStore, type ExpectedVersion, type NewEvent } from './port';

/**
 * The one command handler every command goes through (after Emmett's `CommandHandler`):
 * 1. read the stream and fold it with the stream's model (events lifted to their current schema first),
 * 2. let the caller decide on that state (a decider, plus whatever envelope it needs),
 * 3. append with the version that was read (an empty stream: 'no_stream'),
 * 4. on a lost race (`StreamVersionConflictError`), go back to 1, as the retry policy says.
 * It lives here, next to the EventStore port it talks to, so both @tally/auth and the services use it while
 * @tally/core stays free of I/O (the decider, the stream model and the schemas are core's).
 */

/**
 * When a conflict is retried. Conflicts are retried at once (no backoff): a conflict means another writer just
 * appended, so the new state is already there to decide on; other errors are never retried here.
 */
export interface ConflictRetryPolicy {
  /** total tries, the first included; a conflict on the last one reaches the caller */
  attempts: number;
}

export const DEFAULT_CONFLICT_RETRY: ConflictRetryPolicy = { attempts: 5 };

/** What the caller sees of the stream when it decides. */
export interface StreamRead<Event extends DomainEvent> {
  streamId: string;
  /** the stream's version as read (0: no events) */
  version: number;
  /** the stream's events, typed and upcast (other types on the stream are left out) */
  events: Array<{ event: Event; stored: StoredEvent }>;
}

/** The caller's answer: events to append and the result once they are stored, or a result with nothing to append. */
export type CommandDecision<R> = { append: NewEvent[]; result: (appended: AppendResult) => R } | { result: R };

/** Reads and folds one stream (step 1 alone): for code that needs the state without deciding. */
export async function loadStream<State, Event extends DomainEvent>(
  store: EventStore,
  streamId: string,
  stream: SourcedStream<State, Event>,
): Promise<{ state: State } & StreamRead<Event>> {
  const stored = await store.readStream(streamId);
  const version = stored.length === 0 ? 0 : stored[stored.length - 1]!.streamVersion;
  let state = stream.initialState();
  const events: StreamRead<Event>['events'] = [];
  for (const e of stored) {
    const event = readEvent(stream.schema, e);
    if (!event) continue;
    events.push({ event, stored: e });
    state = stream.evolve(state, event, { streamVersion: e.streamVersion, position: e.position, time: e.time, ...(e.causationId ? { causationId: e.causationId } : {}) });
  }
  return { state, streamId, version, events };
}

export async function handleCommand<State, Event extends DomainEvent, R>(
  store: EventStore,
  streamId: string,
  stream: SourcedStream<State, Event>,
  decide: (state: State, read: StreamRead<Event>) => CommandDecision<R> | Promise<CommandDecision<R>>,
  retry: ConflictRetryPolicy = DEFAULT_CONFLICT_RETRY,
): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    const { state, ...read } = await loadStream(store, streamId, stream);
    const decision = await decide(state, read);
    if (!('append' in decision)) return decision.result;
    if (decision.append.length === 0) throw new Error(`command on ${streamId} decided to append no events; answer with a result instead`);
    const expected: ExpectedVersion = read.version === 0 ? 'no_stream' : read.version;
    try {
      return decision.result(await store.append(streamId, decision.append.map((e) => stamped(stream, e)), expected));
    } catch (err) {
      if (!(err instanceof StreamVersionConflictError) || attempt >= retry.attempts) throw err;
    }
  }
}

/** An event of the stream's schema is written in its type's current schema version. */
function stamped<State, Event extends DomainEvent>(stream: SourcedStream<State, Event>, e: NewEvent): NewEvent {
  return isEventOf(stream.schema, e.type) ? { ...e, schemaVersion: currentSchemaVersion(stream.schema, e.type) } : e;
}
