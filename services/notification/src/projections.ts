import { ACCOUNT_EVENT_SCHEMA, type AccountEvent } from '@tally/auth';
import type { StoredEvent } from '@tally/contracts';
import {
  assertNever,
  PREFERENCES_EVENT_SCHEMA,
  READS_EVENT_SCHEMA,
  readEvent,
  TASK_EVENT_SCHEMA,
  type PreferencesEvent,
  type ReadsEvent,
  type TaskEvent,
} from '@tally/core';
import { listOnce } from './listed-once';
import { accountKey, type Stores } from './stores';

/**
 * The read models the notification service keeps from others' events and its own: who is in which unit with
 * which e-mail, preferences and tasks (which reports are in: reports-in.ts; webhooks are read from the log:
 * webhook-registry.ts).
 * Stored events are read through their streams' schemas (`readEvent`: type checked, data upcast to the current
 * shape), never cast. Each write is guarded by the stream version (or is a set-once / a set of the same value), so
 * the same events applied again change nothing (test/projections.unit.spec.ts).
 */
export const receivedId = (template: string, period: string, orgUnit: string): string => `${template}|${period}|${orgUnit}`;

/** an account's mark of a unit's messages read up to an instant */
export const readMarkId = (orgUnit: string, username: string): string => `${orgUnit}|${username}`;

/**
 * Accounts projected by a version without `unitAccounts` get their entries, once (one read of every account, at the
 * first start of a version with it). Later accounts get theirs from their `created` event.
 */
export function listAccountsByUnit(stores: Stores): Promise<void> {
  return listOnce(stores.unitAccounts, stores.flush, async () => {
    const byUnit = new Map<string, string[]>();
    for (const a of await stores.accounts.find({})) byUnit.set(a.orgUnit, [...(byUnit.get(a.orgUnit) ?? []), a._id]);
    if (byUnit.size === 0) return;
    await stores.unitAccounts.updateMany([...byUnit].map(([unit, names]) => ({ id: unit, update: { set: Object.fromEntries(names.map((n) => [`accounts.${accountKey(n)}`, 1])) } })));
  });
}

/** Accounts, preferences, reads and tasks (reports in are the consumer's, written per batch: reports-in.ts). */
export async function project(stores: Stores, e: StoredEvent): Promise<void> {
  const account = readEvent(ACCOUNT_EVENT_SCHEMA, e);
  if (account) return projectAccount(stores, account, e);
  const own = readEvent(PREFERENCES_EVENT_SCHEMA, e) ?? readEvent(READS_EVENT_SCHEMA, e) ?? readEvent(TASK_EVENT_SCHEMA, e);
  if (own) return projectOwn(stores, own, e);
}

const versionGuard = (e: StoredEvent) => ({ field: 'v', below: e.streamVersion });

/** Accounts: the unit, role and e-mail address messages are sent by. */
async function projectAccount(stores: Stores, event: AccountEvent, e: StoredEvent): Promise<void> {
  const guard = versionGuard(e);
  switch (event.type) {
    case 'tally.account.created': {
      const d = event.data;
      await stores.accounts.update(
        d.username,
        { set: { orgUnit: d.orgUnit, role: d.role, email: d.email ?? null, disabled: false, createdAt: e.time, createdPosition: e.position, v: e.streamVersion } },
        guard,
      );
      // an account's unit never changes: setting its entry again changes nothing
      await stores.unitAccounts.update(d.orgUnit, { set: { [`accounts.${accountKey(d.username)}`]: 1 } });
      return;
    }
    case 'tally.account.email-set':
      await stores.accounts.update(event.data.username, { set: { email: event.data.email ?? null, v: e.streamVersion } }, guard);
      return;
    case 'tally.account.disabled':
    case 'tally.account.enabled':
      await stores.accounts.update(event.data.username, { set: { disabled: event.type === 'tally.account.disabled', v: e.streamVersion } }, guard);
      return;
    case 'tally.account.password-changed':
    case 'tally.account.api-token-issued':
    case 'tally.account.token-revoked':
    case 'tally.account.logged-in':
    case 'tally.account.login-failed':
      return;
    default:
      return assertNever(event, 'account event');
  }
}

/** The notification service's own streams: preferences, messages read, tasks. */
async function projectOwn(stores: Stores, event: PreferencesEvent | ReadsEvent | TaskEvent, e: StoredEvent): Promise<void> {
  const guard = versionGuard(e);
  switch (event.type) {
    case 'tally.notification.preferences-set': {
      const p = event.data;
      await stores.preferences.update(p.username, { set: { channels: p.channels, digest: p.digest, language: p.language, v: e.streamVersion } }, guard);
      return;
    }
    case 'tally.notification.read':
      await stores.reads.update(`${event.data.messageId}|${event.data.username}`, { setOnInsert: { at: e.time, position: e.position } });
      return;
    case 'tally.notification.read-up-to':
      // the stream's events only move a unit's mark forward; guarded by position (the route writes it too, knowing
      // the position): a replay never moves it back
      await stores.readMarks.update(readMarkId(event.data.orgUnit, event.data.username), { set: { upTo: event.data.upTo, position: e.position } }, { field: 'position', below: e.position });
      return;
    case 'tally.task.assigned': {
      const t = event.data;
      await stores.tasks.update(
        t.taskId,
        {
          set: {
            title: t.title,
            body: t.body,
            orgUnits: t.orgUnits,
            dueDate: t.dueDate,
            template: t.template,
            period: t.period,
            assignedBy: t.assignedBy,
            createdAt: e.time,
            v: e.streamVersion,
          },
        },
        guard,
      );
      const reportKey = t.template && t.period ? `${t.template}|${t.period}` : '';
      await stores.taskUnits.updateMany(t.orgUnits.map((u) => ({ id: `${t.taskId}|${u}`, update: { set: { taskId: t.taskId, orgUnit: u, reportKey } } })));
      if (reportKey) await stores.taskKeys.updateMany(t.orgUnits.map((u) => ({ id: `${reportKey}|${u}`, update: { set: { [`tasks.${t.taskId}`]: 1 } } })));
      return;
    }
    case 'tally.task.done': {
      const t = event.data;
      await stores.tasks.update(t.taskId, { set: { [`done.${t.orgUnit}`]: { at: e.time, via: t.via }, v: e.streamVersion } }, guard);
      return;
    }
    default:
      return assertNever(event, 'notification event');
  }
}
