import { expect } from 'vitest';
import type { StoredEvent } from '@tally/contracts';
import type { DomainEvent } from '@tally/core';

/**
 * Given/when/then specifications for deciders and projections, so each service specifies its own behaviour in
 * milliseconds, without infrastructure:
 *   decider:    given(events).when(command).then(expectedEvents) | .thenRefuses(code)
 *   projection: projectionSpec(apply, read).given(events).then(expectedReadModel), which also checks that the
 *               same events applied again (the whole history, and each event twice) change nothing.
 */
export interface DeciderUnderTest<Command, Event extends DomainEvent, State> {
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  decide: (command: Command, state: State) => Event[];
}

export function deciderSpec<Command, Event extends DomainEvent, State>(decider: DeciderUnderTest<Command, Event, State>) {
  return {
    given(events: Event[]) {
      const state = events.reduce(decider.evolve, decider.initialState());
      return {
        state,
        when(command: Command) {
          return {
            then(expected: Event[]): void {
              expect(decider.decide(command, state)).toEqual(expected);
            },
            /** refused with an error carrying `code` (DomainError, TallyError) */
            thenRefuses(code: string): void {
              let thrown: unknown;
              try {
                decider.decide(command, state);
              } catch (err) {
                thrown = err;
              }
              expect(thrown, `expected ${code}`).toMatchObject({ code });
            },
          };
        },
      };
    },
  };
}

/** A domain event as a consumer receives it: with an envelope and its place in the stream and the log. */
export function stored<T extends string, D>(
  event: { type: T; data: D },
  meta: { subject: string; streamVersion: number; position: number; time?: string; id?: string; causationId?: string },
): StoredEvent<T, D> {
  return {
    id: meta.id ?? `${meta.subject}#${meta.streamVersion}`,
    type: event.type,
    source: 'tally/test',
    subject: meta.subject,
    time: meta.time ?? new Date(Date.UTC(2026, 0, 1, 0, 0, meta.position)).toISOString(),
    schemaVersion: 1,
    data: event.data,
    actor: { id: 'test' },
    correlationId: `c-${meta.position}`,
    ...(meta.causationId ? { causationId: meta.causationId } : {}),
    streamVersion: meta.streamVersion,
    position: meta.position,
  };
}

/** Numbers a stream's events (versions from 1, positions from `firstPosition`). */
export function streamOf(subject: string, events: ReadonlyArray<{ type: string; data: unknown }>, firstPosition = 1): StoredEvent[] {
  return events.map((e, i) => stored(e, { subject, streamVersion: i + 1, position: firstPosition + i }));
}

export function projectionSpec<ReadModel>(apply: (events: StoredEvent[]) => Promise<void>, read: () => Promise<ReadModel>) {
  return {
    given(events: StoredEvent[]) {
      return {
        /** applies the events, checks the read model, then applies them again (all, and each twice): no change */
        async then(expected: ReadModel | ((model: ReadModel) => void)): Promise<ReadModel> {
          await apply(events);
          const once = await read();
          if (typeof expected === 'function') (expected as (model: ReadModel) => void)(once);
          else expect(once).toEqual(expected);
          await apply(events);
          for (const e of events) await apply([e, e]);
          expect(await read(), 'the same events applied again changed the read model').toEqual(once);
          return once;
        },
      };
    },
  };
}
