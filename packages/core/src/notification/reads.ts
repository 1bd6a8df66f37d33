import { assertNever, type Decider } from '../decider/decider';
import type { SourcedStream } from '../decider/stream';
import type { EventSchema, ListsEvery } from '../decider/upcast';

/**
 * Which inbox messages an account has read, one stream per account (`notification-reads-<username>`):
 * `tally.notification.read` at most once per message.
 */
export interface MessageReadData {
  username: string;
  messageId: string;
}

export type MessageRead = { type: 'tally.notification.read'; data: MessageReadData };
export type ReadsEvent = MessageRead;

export const READS_EVENT_TYPES = ['tally.notification.read'] as const satisfies readonly ReadsEvent['type'][];
export const READS_EVENT_TYPES_COMPLETE: ListsEvery<ReadsEvent['type'], typeof READS_EVENT_TYPES> = true;
export const READS_EVENT_SCHEMA: EventSchema<ReadsEvent> = { types: READS_EVENT_TYPES };

export const readsStreamId = (username: string): string => `notification-reads-${username}`;

/** message id -> read */
export type ReadsState = Readonly<Record<string, true>>;

export type MarkRead = { type: 'MarkRead'; data: MessageReadData };

export function evolveReads(state: ReadsState, event: ReadsEvent): ReadsState {
  switch (event.type) {
    case 'tally.notification.read':
      return state[event.data.messageId] ? state : { ...state, [event.data.messageId]: true };
    default:
      return assertNever(event.type, 'reads event');
  }
}

export const readsStream = {
  schema: READS_EVENT_SCHEMA,
  initialState: (): ReadsState => ({}),
  evolve: evolveReads,
} satisfies SourcedStream<ReadsState, ReadsEvent>;

/** A message is read once: reading it again records nothing. */
export const readsDecider = {
  ...readsStream,
  decide: ({ data }: MarkRead, state: ReadsState): ReadsEvent[] => (state[data.messageId] ? [] : [{ type: 'tally.notification.read', data }]),
} satisfies Decider<MarkRead, ReadsEvent, ReadsState>;
