import type { StoredEvent } from '@tally/contracts';
import type { TaskAssignedData, TaskDoneData } from '@tally/core';
import type { Channel, Stores } from './stores';

/**
 * The read models the notification service keeps from others' events and its own: who is in which unit with
 * which e-mail, preferences, tasks, and which reports are in (webhooks are read from the log: webhook-registry.ts). Each write is guarded by the stream
 * version (or is a plain set of the same value), so a redelivery changes nothing.
 */
export const prefsStreamId = (username: string): string => `notification-prefs-${username}`;
export const readsStreamId = (username: string): string => `notification-reads-${username}`;

export interface PreferencesSetData {
  username: string;
  channels: Record<string, Channel[]>;
  digest: boolean;
  language: 'vi' | 'en';
}

export interface WebhookRegisteredData {
  id: string;
  url: string;
  events: string[];
  orgUnit: string;
  secret: string;
  createdBy: string;
}

export const receivedId = (template: string, period: string, orgUnit: string): string => `${template}|${period}|${orgUnit}`;

export async function project(stores: Stores, e: StoredEvent): Promise<void> {
  const guard = { field: 'v', below: e.streamVersion };
  const d = e.data as Record<string, unknown>;
  switch (e.type) {
    case 'tally.account.created':
      await stores.accounts.update(
        String(d.username),
        { set: { orgUnit: d.orgUnit, role: d.role, email: d.email ?? null, disabled: false, createdAt: e.time, createdPosition: e.position, v: e.streamVersion } },
        guard,
      );
      return;
    case 'tally.account.email-set':
      await stores.accounts.update(String(d.username), { set: { email: d.email ?? null, v: e.streamVersion } }, guard);
      return;
    case 'tally.account.disabled':
    case 'tally.account.enabled':
      await stores.accounts.update(String(d.username), { set: { disabled: e.type === 'tally.account.disabled', v: e.streamVersion } }, guard);
      return;
    case 'tally.notification.preferences-set': {
      const p = d as unknown as PreferencesSetData;
      await stores.preferences.update(p.username, { set: { channels: p.channels, digest: p.digest, language: p.language, v: e.streamVersion } }, guard);
      return;
    }
    case 'tally.notification.read':
      await stores.reads.update(`${String(d.messageId)}|${String(d.username)}`, { setOnInsert: { at: e.time, position: e.position } });
      return;
    case 'tally.task.assigned': {
      const t = d as unknown as TaskAssignedData;
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
      const t = d as unknown as TaskDoneData;
      await stores.tasks.update(t.taskId, { set: { [`done.${t.orgUnit}`]: { at: e.time, via: t.via }, v: e.streamVersion } }, guard);
      return;
    }
    case 'tally.report.submitted': {
      const r = d as { template: string; period: string; orgUnit: string; reportId: string };
      await stores.received.update(receivedId(r.template, r.period, r.orgUnit), { setOnInsert: { template: r.template, period: r.period, orgUnit: r.orgUnit, reportId: r.reportId } });
      return;
    }
  }
}
