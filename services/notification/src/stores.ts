import { createHash } from 'node:crypto';
import type { InboxLanguage, NotificationChannel } from '@tally/core';
import type { Doc, ReadStore } from '@tally/readstore';
import type { Text } from './messages';

/**
 * The notification service's documents. Read models (`notification_*`) are projections of events, dropped and
 * rebuilt by a rebuild. The delivery outbox (`notify_outbox`) is NOT a projection: it records what was sent
 * to the outside world, so a rebuild (which replays every event) finds each delivery already there and sends
 * nothing again. `notify_outbox_pending` lists the deliveries that may still be pending, so the dispatcher reads the
 * backlog, not the whole history (FerretDB answers a `{ state }` filter by reading every document): an entry is
 * written before its delivery is, and removed after it is sent (a dead letter keeps its entry: a retry makes it
 * pending again); one left over (a crash in between, an event delivered again after it was sent) is removed by the
 * dispatcher's next pass.
 */
export const COLLECTIONS = {
  inbox: 'notification_inbox',
  reads: 'notification_reads',
  /** per account and unit (`<unit>|<username>`): every message up to `upTo` is read */
  readMarks: 'notification_read_marks',
  accounts: 'notification_accounts',
  unitAccounts: 'notification_unit_accounts',
  preferences: 'notification_preferences',
  tasks: 'notification_tasks',
  taskUnits: 'notification_task_units',
  received: 'notification_received',
  taskKeys: 'notification_task_keys',
  completeness: 'notification_completeness',
  outbox: 'notify_outbox',
  outboxPending: 'notify_outbox_pending',
} as const;

export interface InboxDoc extends Doc {
  recipient: string;
  kind: string;
  title: string;
  body: string;
  en: Text;
  template: string | null;
  period: string | null;
  taskId: string | null;
  reportId: string | null;
  eventId: string;
  time: string;
}

export interface AccountDoc extends Doc {
  orgUnit: string;
  role: string;
  email: string | null;
  disabled: boolean;
  createdAt: string;
  /** position of the event that created it: only later events reach it */
  createdPosition: number;
  v: number;
}

export type Channel = NotificationChannel;

export interface PreferencesDoc extends Doc {
  /** kind (or '*') -> channels; absent kinds use '*', absent '*' means every channel */
  channels: Record<string, Channel[]>;
  /** e-mail once a day (the Vietnam day's messages, sent after it ends) instead of one e-mail each */
  digest: boolean;
  language: InboxLanguage;
  v: number;
}

export interface TaskDoc extends Doc {
  title: string;
  body: string | null;
  orgUnits: string[];
  dueDate: string;
  template: string | null;
  period: string | null;
  assignedBy: string;
  createdAt: string;
  done: Record<string, { at: string; via: 'report' | 'manual' }>;
  v: number;
}

export interface TaskUnitDoc extends Doc {
  taskId: string;
  orgUnit: string;
  /** template|period, or '' (a task done by hand only) */
  reportKey: string;
}

export type DeliveryState = 'pending' | 'sent' | 'dead';

export interface OutboxDoc extends Doc {
  /** the delivery's key: channel, message (event and recipient unit), recipient (account or webhook) */
  key: string;
  channel: 'email' | 'webhook';
  /** account (email) or webhook id */
  target: string;
  /** the inbox message it carries */
  messageId: string;
  kind: string;
  orgUnit: string;
  vi: Text;
  en: Text;
  template: string | null;
  period: string | null;
  taskId: string | null;
  reportId: string | null;
  createdAt: string;
  /** e-mail digest day (Vietnam date) or null for a single e-mail */
  digestDay: string | null;
  state: DeliveryState;
  attempts: number;
  nextAt: number;
  lastError: string | null;
  sentAt: string | null;
}

/** A unit's report for a template and period is in (the first report id seen). */
export interface ReceivedDoc extends Doc {
  template: string;
  period: string;
  orgUnit: string;
  reportId: string;
}

/**
 * A unit's accounts (`_id`: the unit's code), so a message finds its recipients by `_id` (FerretDB answers an
 * `{ orgUnit }` filter by reading every account). Keys are `accountKey(username)`: a username may hold characters
 * a field path may not (a dot).
 */
export interface UnitAccountsDoc extends Doc {
  accounts: Record<string, number>;
}

export const accountKey = (username: string): string => Buffer.from(username, 'utf8').toString('base64url');
export const usernameOfKey = (key: string): string => Buffer.from(key, 'base64url').toString('utf8');

export const deliveryId = (key: string): string => createHash('sha256').update(key).digest('hex').slice(0, 32);

export function collections(readStore: ReadStore) {
  return {
    inbox: readStore.collection<InboxDoc>(COLLECTIONS.inbox),
    reads: readStore.collection<Doc & { at: string; position: number }>(COLLECTIONS.reads),
    readMarks: readStore.collection<Doc & { upTo: string }>(COLLECTIONS.readMarks),
    accounts: readStore.collection<AccountDoc>(COLLECTIONS.accounts),
    unitAccounts: readStore.collection<UnitAccountsDoc>(COLLECTIONS.unitAccounts),
    preferences: readStore.collection<PreferencesDoc>(COLLECTIONS.preferences),
    tasks: readStore.collection<TaskDoc>(COLLECTIONS.tasks),
    taskUnits: readStore.collection<TaskUnitDoc>(COLLECTIONS.taskUnits),
    received: readStore.collection<ReceivedDoc>(COLLECTIONS.received),
    taskKeys: readStore.collection<Doc & { tasks: Record<string, number> }>(COLLECTIONS.taskKeys),
    completeness: readStore.collection<Doc & { units: Record<string, number>; told?: boolean }>(COLLECTIONS.completeness),
    outbox: readStore.collection<OutboxDoc>(COLLECTIONS.outbox),
    outboxPending: readStore.collection<Doc>(COLLECTIONS.outboxPending),
    /** makes the writes so far durable (ReadStore.flush): before answering for one */
    flush: () => readStore.flush(),
  };
}

export type Stores = ReturnType<typeof collections>;
