import { assertNever, type Decider } from '../decider/decider';
import type { SourcedStream } from '../decider/stream';
import type { EventSchema, ListsEvery } from '../decider/upcast';

/**
 * Which inbox messages an account has read, one stream per account (`notification-reads-<username>`):
 * `tally.notification.read` at most once per message, and `tally.notification.read-up-to` when it reads every
 * message of a unit at once: one event, not one per message (a province gets one per commune's submission).
 */
export interface MessageReadData {
  username: string;
  messageId: string;
}

/** every message of `orgUnit` created at `upTo` or before is read (an ISO 8601 instant) */
export interface InboxReadUpToData {
  username: string;
  orgUnit: string;
  upTo: string;
}

export type MessageRead = { type: 'tally.notification.read'; data: MessageReadData };
export type InboxReadUpTo = { type: 'tally.notification.read-up-to'; data: InboxReadUpToData };
export type ReadsEvent = MessageRead | InboxReadUpTo;

export const READS_EVENT_TYPES = ['tally.notification.read', 'tally.notification.read-up-to'] as const satisfies readonly ReadsEvent['type'][];
export const READS_EVENT_TYPES_COMPLETE: ListsEvery<ReadsEvent['type'], typeof READS_EVENT_TYPES> = true;
export const READS_EVENT_SCHEMA: EventSchema<ReadsEvent> = { types: READS_EVENT_TYPES };

export const readsStreamId = (username: string): string => `notification-reads-${username}`;

/** the messages read one by one, and per unit the instant up to which all were read */
export interface ReadsState {
  readonly messages: Readonly<Record<string, true>>;
  readonly upTo: Readonly<Record<string, string>>;
}

export type MarkRead = { type: 'MarkRead'; data: MessageReadData };
export type MarkReadUpTo = { type: 'MarkReadUpTo'; data: InboxReadUpToData };
export type ReadsCommand = MarkRead | MarkReadUpTo;

export function evolveReads(state: ReadsState, event: ReadsEvent): ReadsState {
  switch (event.type) {
    case 'tally.notification.read':
      return state.messages[event.data.messageId] ? state : { ...state, messages: { ...state.messages, [event.data.messageId]: true } };
    case 'tally.notification.read-up-to': {
      const { orgUnit, upTo } = event.data;
      return (state.upTo[orgUnit] ?? '') >= upTo ? state : { ...state, upTo: { ...state.upTo, [orgUnit]: upTo } };
    }
    default:
      return assertNever(event, 'reads event');
  }
}

export const readsStream = {
  schema: READS_EVENT_SCHEMA,
  initialState: (): ReadsState => ({ messages: {}, upTo: {} }),
  evolve: evolveReads,
} satisfies SourcedStream<ReadsState, ReadsEvent>;

/** A message is read once; a unit's messages up to an instant once (an earlier or the same instant again: nothing). */
export const readsDecider = {
  ...readsStream,
  decide: (command: ReadsCommand, state: ReadsState): ReadsEvent[] => {
    switch (command.type) {
      case 'MarkRead':
        return state.messages[command.data.messageId] ? [] : [{ type: 'tally.notification.read', data: command.data }];
      case 'MarkReadUpTo':
        return (state.upTo[command.data.orgUnit] ?? '') >= command.data.upTo ? [] : [{ type: 'tally.notification.read-up-to', data: command.data }];
      default:
        return assertNever(command, 'reads command');
    }
  },
} satisfies Decider<ReadsCommand, ReadsEvent, ReadsState>;
