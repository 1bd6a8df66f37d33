import type { DomainEvent, StreamModel } from './decider';
import type { EventSchema } from './upcast';

/** Everything needed to read one kind of stream: which events it holds (and how old ones are lifted), and how they fold. */
export interface SourcedStream<State, Event extends DomainEvent> extends StreamModel<State, Event> {
  schema: EventSchema<Event>;
}
