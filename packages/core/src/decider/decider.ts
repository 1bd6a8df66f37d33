/**
 * The shape every event-sourced stream in Tally has: a pure decider (Chinchilla/Emmett style).
 * `decide(command, state) -> events` rules; `evolve(state, event, meta) -> state` folds. Both are pure: time, ids
 * and anything looked up elsewhere come in with the command or with the event's metadata, so a replay of the
 * same events gives the same state. The I/O around them (read the stream, append with the version that was
 * read, retry a lost race) is one function, `handleCommand` in @tally/eventstore.
 */

/** A domain event as the decider sees it: its type and its data (the envelope stays outside the domain). */
export interface DomainEvent<TType extends string = string, TData = unknown> {
  type: TType;
  data: TData;
}

/** What the store says about a stored event that an evolve may use instead of a clock or a counter. */
export interface EventMeta {
  /** the event's version in its stream (1-based) */
  streamVersion: number;
  /** its global position */
  position: number;
  /** the instant it was decided (ISO 8601), from the envelope: an evolve never reads the clock */
  time: string;
  /** the id of the event or request that caused it, when known */
  causationId?: string;
}

/** How a stream's events fold into a state. */
export interface StreamModel<State, Event extends DomainEvent> {
  initialState: () => State;
  evolve: (state: State, event: Event, meta: EventMeta) => State;
}

/** A stream model that also decides: commands in, events out (or a DomainError). */
export interface Decider<Command, Event extends DomainEvent, State> extends StreamModel<State, Event> {
  decide: (command: Command, state: State) => Event[];
}

/**
 * The default branch of every switch over an event (or command) union: with `value: never`, adding a member to the
 * union without handling it is a compile error, and an unknown value that slipped past the types fails loudly.
 */
export function assertNever(value: never, what = 'value'): never {
  const type = typeof value === 'object' && value !== null && 'type' in value ? String((value as { type: unknown }).type) : JSON.stringify(value);
  throw new Error(`unhandled ${what}: ${type}`);
}

/** Folds events (each with its metadata) into a state, from `state` (default: the initial state). */
export function foldEvents<State, Event extends DomainEvent>(
  model: StreamModel<State, Event>,
  events: Iterable<{ event: Event; meta: EventMeta }>,
  state: State = model.initialState(),
): State {
  let s = state;
  for (const { event, meta } of events) s = model.evolve(s, event, meta);
  return s;
}
