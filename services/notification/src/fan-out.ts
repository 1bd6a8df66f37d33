import type { HierarchyQuery, StoredEvent } from '@tally/contracts';
import { vietnamDateOf } from '@tally/core';
import type { Message } from './messages';
import { deliveryId, usernameOfKey, type AccountDoc, type Channel, type OutboxDoc, type PreferencesDoc, type Stores } from './stores';
import type { WebhookRegistry } from './webhook-registry';

/**
 * Events' messages into the inboxes and the delivery outbox, gathered per consumer batch and written once for it
 * (one `updateMany` per collection). Every write is keyed: the message by
 * (event, recipient unit), each delivery by (channel, message, account or webhook), and created only once
 * (setOnInsert), so a redelivered or replayed event writes nothing new and nothing is sent twice.
 * Accounts and webhooks created after the event (a later log position) do not get it, so a replay after a rebuild
 * finds the same recipients. Webhooks are read from the log (webhook-registry.ts); accounts from the accounts
 * topic's projection (an account created an instant before an event on another topic may miss that one).
 */
export interface FanOutDeps {
  stores: Stores;
  hierarchy: HierarchyQuery;
  webhooks: WebhookRegistry;
  emailEnabled: boolean;
}

/** URL-safe: the id goes into POST /inbox/{id}/read */
export const messageIdOf = (e: StoredEvent, recipient: string): string => `${e.id}.${recipient}`;

export function wants(prefs: PreferencesDoc | undefined, kind: string, channel: Channel): boolean {
  const channels = prefs?.channels[kind] ?? prefs?.channels['*'];
  return channels ? channels.includes(channel) : true;
}

/** The inbox and outbox writes of a batch of events, written at once (`writeFanOut`). */
export interface FanOutWrites {
  inbox: Array<{ id: string; update: { setOnInsert: Record<string, unknown> } }>;
  outbox: Array<{ id: string; update: { setOnInsert: Omit<OutboxDoc, '_id'> } }>;
}

export const noFanOutWrites = (): FanOutWrites => ({ inbox: [], outbox: [] });

/** Adds one event's messages to `writes`: its inbox entries and its deliveries (nothing is written yet). */
export async function fanOut(deps: FanOutDeps, e: StoredEvent, messages: Message[], hierarchy: string, writes: FanOutWrites): Promise<void> {
  if (messages.length === 0) return;
  const { stores } = deps;
  writes.inbox.push(
    ...messages.map((m) => ({
      id: messageIdOf(e, m.recipient),
      update: {
        setOnInsert: {
          recipient: m.recipient,
          kind: m.kind,
          title: m.vi.title,
          body: m.vi.body,
          en: m.en,
          template: m.template ?? null,
          period: m.period ?? null,
          taskId: m.taskId ?? null,
          reportId: m.reportId ?? null,
          eventId: e.id,
          time: e.time,
        },
      },
    })),
  );
  const hooks = await deps.webhooks.before(e.position);
  const { outbox } = writes;
  for (const m of messages) {
    const messageId = messageIdOf(e, m.recipient);
    const base = {
      messageId,
      kind: m.kind,
      orgUnit: m.recipient,
      vi: m.vi,
      en: m.en,
      template: m.template ?? null,
      period: m.period ?? null,
      taskId: m.taskId ?? null,
      reportId: m.reportId ?? null,
      createdAt: e.time,
      state: 'pending' as const,
      attempts: 0,
      nextAt: 0,
      lastError: null,
      sentAt: null,
    };
    if (deps.emailEnabled) {
      const accounts = (await accountsOf(stores, m.recipient)).filter((a: AccountDoc) => !a.disabled && a.email && a.createdPosition < e.position);
      const prefs = new Map((await stores.preferences.getMany(accounts.map((a) => a._id))).map((p) => [p._id, p]));
      for (const a of accounts) {
        const p = prefs.get(a._id);
        if (!wants(p, m.kind, 'email')) continue;
        const key = `email|${messageId}|${a._id}`;
        outbox.push({ id: deliveryId(key), update: { setOnInsert: { ...base, key, channel: 'email', target: a._id, digestDay: p?.digest ? vietnamDateOf(new Date(e.time)) : null } } });
      }
    }
    const matching = hooks.filter((w) => w.events.includes('*') || w.events.includes(m.kind));
    if (matching.length > 0) {
      const path = await deps.hierarchy.path(hierarchy, m.recipient).catch(() => [m.recipient]);
      for (const w of matching) {
        if (w.orgUnit !== 'VN' && !path.includes(w.orgUnit)) continue;
        const key = `webhook|${messageId}|${w.id}`;
        outbox.push({ id: deliveryId(key), update: { setOnInsert: { ...base, key, channel: 'webhook', target: w.id, digestDay: null } } });
      }
    }
  }
}

/** A unit's accounts, through its `unitAccounts` document (reads by `_id` only). */
async function accountsOf(stores: Stores, orgUnit: string): Promise<AccountDoc[]> {
  const keys = Object.keys((await stores.unitAccounts.get(orgUnit))?.accounts ?? {});
  return keys.length > 0 ? stores.accounts.getMany(keys.map(usernameOfKey)) : [];
}

/** Writes what `fanOut` gathered: keyed and set once, so writing it again (a redelivered batch) changes nothing. */
export async function writeFanOut(stores: Stores, writes: FanOutWrites): Promise<void> {
  if (writes.inbox.length > 0) await stores.inbox.updateMany(writes.inbox);
  if (writes.outbox.length === 0) return;
  // the pending list first: a delivery is never stored without its entry (a crash in between leaves only the entry)
  await stores.outboxPending.updateMany(writes.outbox.map((w) => ({ id: w.id, update: { set: { pending: true } } })));
  await stores.outbox.updateMany(writes.outbox);
}
