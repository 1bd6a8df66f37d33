import { vietnamDateOf } from '@tally/core';
import type { Logger } from '@tally/runtime';
import { digestText, type Mailer } from './email';
import type { NotificationSettings } from './settings';
import { deliveryId, type OutboxDoc, type Stores } from './stores';
import type { WebhookRegistry } from './webhook-registry';
import { postWebhook } from './webhook-sender';
import { LISTED, listOnce } from './listed-once';

/**
 * Sends what the outbox holds: pending deliveries whose time has come, one at a time, then records the
 * outcome. A failure is retried after an exponentially growing delay with jitter (base * 2^(attempt-1), halved
 * at random, capped); after `maxAttempts` the delivery is a dead letter (listed, retried on request).
 * Digest e-mails wait until their Vietnam day is over, then go as one e-mail per account and day.
 * A crash between sending and recording re-sends once with the same delivery id (see email.ts, webhook-sender.ts).
 */
export interface DispatcherDeps {
  stores: Stores;
  settings: NotificationSettings;
  mailer: Mailer | null;
  webhooks: WebhookRegistry;
  clock: () => Date;
  logger: Logger;
  random?: () => number;
}

export interface Dispatcher {
  /** look at the outbox soon */
  nudge(): void;
  /** one pass now (tests drive it with a fake clock) */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

export function backoffMs(attempt: number, settings: Pick<NotificationSettings, 'backoffBaseMs' | 'backoffMaxMs'>, random: () => number): number {
  const full = Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(full / 2 + (full / 2) * random());
}

export function webhookPayload(d: OutboxDoc): string {
  return JSON.stringify({
    id: d._id,
    kind: d.kind,
    orgUnit: d.orgUnit,
    title: d.vi.title,
    body: d.vi.body,
    en: d.en,
    template: d.template,
    period: d.period,
    taskId: d.taskId,
    reportId: d.reportId,
    messageId: d.messageId,
    createdAt: d.createdAt,
  });
}

/**
 * An outbox from before the pending list: its pending deliveries get their entries, once (one read of the whole
 * outbox, at the first start of a version with the list).
 */
export function listPendingDeliveries(stores: Stores): Promise<void> {
  return listOnce(stores.outboxPending, stores.flush, async () => {
    const pending = await stores.outbox.find({ state: 'pending' });
    if (pending.length > 0) await stores.outboxPending.updateMany(pending.map((d) => ({ id: d._id, update: { set: { pending: true } } })));
  });
}

export function startDispatcher(deps: DispatcherDeps): Dispatcher {
  const { stores, settings, logger } = deps;
  const random = deps.random ?? Math.random;
  let running: Promise<number> | null = null;
  let again = false;
  let stopped = false;

  const failed = async (docs: OutboxDoc[], err: unknown): Promise<void> => {
    const message = err instanceof Error ? err.message : String(err);
    const now = deps.clock().getTime();
    for (const d of docs) {
      const attempts = d.attempts + 1;
      const dead = attempts >= settings.maxAttempts;
      await stores.outbox.update(d._id, { set: { attempts, lastError: message.slice(0, 500), state: dead ? 'dead' : 'pending', nextAt: now + backoffMs(attempts, settings, random) } });
      if (dead) logger.warn({ delivery: d._id, channel: d.channel, target: d.target, err: message }, 'delivery failed every attempt: kept as a dead letter');
    }
    await stores.flush();
  };
  const sent = async (docs: OutboxDoc[]): Promise<void> => {
    const at = deps.clock().toISOString();
    for (const d of docs) {
      await stores.outbox.update(d._id, { set: { state: 'sent', sentAt: at, attempts: d.attempts + 1, lastError: null } });
      await stores.outboxPending.delete(d._id);
    }
    // durable at once (the store commits in groups): a crash after this must not send it again
    await stores.flush();
  };

  async function pass(): Promise<number> {
    const now = deps.clock();
    const today = vietnamDateOf(now);
    const due = (await pendingDeliveries()).filter((d) => d.nextAt <= now.getTime()).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
    const digests = new Map<string, OutboxDoc[]>();
    let count = 0;
    for (const d of due) {
      if (stopped) break;
      if (d.channel === 'email' && d.digestDay) {
        if (d.digestDay >= today) continue;
        const k = `${d.target}|${d.digestDay}`;
        digests.set(k, [...(digests.get(k) ?? []), d]);
        continue;
      }
      try {
        if (d.channel === 'webhook') {
          const hook = await deps.webhooks.get(d.target);
          if (!hook) throw new Error('the webhook no longer exists');
          await postWebhook(settings.webhookAllow, { url: hook.url, secret: hook.secret, deliveryId: d._id, body: webhookPayload(d), now, timeoutMs: settings.webhookTimeoutMs });
        } else {
          const to = await recipient(d.target);
          await deps.mailer!.send({ to: to.email, deliveryId: d._id, subject: d[to.language].title, text: d[to.language].body, language: to.language });
        }
        await sent([d]);
        count++;
      } catch (err) {
        await failed([d], err);
      }
    }
    for (const [k, docs] of digests) {
      if (stopped) break;
      const [target, day] = k.split('|') as [string, string];
      try {
        const to = await recipient(target);
        const { subject, text } = digestText(docs.map((d) => ({ text: d[to.language], createdAt: d.createdAt })), to.language, day);
        await deps.mailer!.send({ to: to.email, deliveryId: deliveryId(`digest|${target}|${day}`), subject, text, language: to.language });
        await sent(docs);
        count++;
      } catch (err) {
        await failed(docs, err);
      }
    }
    return count;
  }

  /**
   * The pending deliveries, through the pending list; entries of deliveries sent are removed on the way. A dead
   * letter keeps its entry (a retry makes it pending again, and may be writing it now); an entry without its
   * delivery is one being written (the entry goes first): it stays too.
   */
  async function pendingDeliveries(): Promise<OutboxDoc[]> {
    const listed = (await stores.outboxPending.find({})).filter((e) => e._id !== LISTED);
    const docs = await stores.outbox.getMany(listed.map((e) => e._id));
    for (const d of docs) if (d.state === 'sent') await stores.outboxPending.delete(d._id);
    return docs.filter((d) => d.state === 'pending');
  }

  async function recipient(username: string): Promise<{ email: string; language: 'vi' | 'en' }> {
    if (!deps.mailer) throw new Error('no SMTP server is configured (TALLY_SMTP_URL)');
    const account = await stores.accounts.get(username);
    if (!account?.email || account.disabled) throw new Error(`account ${username} has no e-mail address or is disabled`);
    const prefs = await stores.preferences.get(username);
    return { email: account.email, language: prefs?.language ?? 'vi' };
  }

  const runOnce = async (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let n = 0;
      do {
        again = false;
        n += await pass();
      } while (again && !stopped);
      return n;
    })().finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => void runOnce().catch((err: unknown) => logger.error({ err }, 'delivery pass failed')), settings.dispatchEveryMs);
  timer.unref();
  return {
    nudge: () => void runOnce().catch((err: unknown) => logger.error({ err }, 'delivery pass failed')),
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
      deps.mailer?.close();
    },
  };
}
