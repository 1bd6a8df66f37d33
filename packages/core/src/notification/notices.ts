import { assertNever, type Decider } from '../decider/decider';
import type { SourcedStream } from '../decider/stream';
import type { EventSchema, ListsEvery } from '../decider/upcast';
import type { DeadlineNotice } from './deadlines';

/**
 * Notices the notification service records at most once per key: each is the only event of a stream of its own,
 * named by its key, so "at most once" is the store's expected-version check (the stream does not exist yet), across
 * restarts, replays, replicas and both modes.
 * - `tally.notification.deadline-due` on `notification-deadline-<rule>-<template>-<unit>-<period>-<offset>`
 *   (`deadlineNoticeKey`): a reminder or an overdue notice that is due;
 * - `tally.notification.figure-complete` on `notification-complete-<template>-<unit>-<period>`: every reporting
 *   unit under a unit has reported.
 */
export interface DeadlineDueData extends DeadlineNotice {
  /** the Vietnam calendar day the notice was found due on */
  day: string;
  /** the hierarchy version in force at the period's end */
  hierarchy: string;
}

export interface FigureCompleteData {
  orgUnit: string;
  template: string;
  period: string;
  /** how many reporting units under `orgUnit` have reported (all of them) */
  expected: number;
}

export type DeadlineDue = { type: 'tally.notification.deadline-due'; data: DeadlineDueData };
export type FigureComplete = { type: 'tally.notification.figure-complete'; data: FigureCompleteData };
export type NoticeEvent = DeadlineDue | FigureComplete;

export const NOTICE_EVENT_TYPES = ['tally.notification.deadline-due', 'tally.notification.figure-complete'] as const satisfies readonly NoticeEvent['type'][];
export const NOTICE_EVENT_TYPES_COMPLETE: ListsEvery<NoticeEvent['type'], typeof NOTICE_EVENT_TYPES> = true;

/** A notice stream's schema: every type at schema version 1 so far. */
export const NOTICE_EVENT_SCHEMA: EventSchema<NoticeEvent> = { types: NOTICE_EVENT_TYPES };

export const deadlineStreamId = (key: string): string => `notification-deadline-${key}`;
export const figureCompleteStreamId = (d: Pick<FigureCompleteData, 'template' | 'orgUnit' | 'period'>): string => `notification-complete-${d.template}-${d.orgUnit}-${d.period}`;

/** The notice a stream holds, or null before it is recorded. */
export type NoticeState = NoticeEvent | null;

/** Record a notice under its key (its stream). */
export type RecordNotice = { type: 'RecordNotice'; notice: NoticeEvent };

/** The first notice of a stream stays: a later one (replayed, or from another replica) is never recorded. */
export function evolveNotice(state: NoticeState, event: NoticeEvent): NoticeState {
  switch (event.type) {
    case 'tally.notification.deadline-due':
    case 'tally.notification.figure-complete':
      return state ?? event;
    default:
      return assertNever(event, 'notice event');
  }
}

/** A notice stream: its event and how it folds. */
export const noticeStream = {
  schema: NOTICE_EVENT_SCHEMA,
  initialState: (): NoticeState => null,
  evolve: evolveNotice,
} satisfies SourcedStream<NoticeState, NoticeEvent>;

/** At most once per key: the notice, unless its stream holds one already. */
export const noticeDecider = {
  ...noticeStream,
  decide: (command: RecordNotice, state: NoticeState): NoticeEvent[] => (state ? [] : [command.notice]),
} satisfies Decider<RecordNotice, NoticeEvent, NoticeState>;
