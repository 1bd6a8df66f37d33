import { describe, expect, it } from 'vitest';
import { openSqliteEventStore } from '@tally/eventstore';
import { openSqliteReadStore } from '@tally/readstore';
import { listPendingDeliveries, startDispatcher } from '../src/dispatcher';
import type { Mail } from '../src/email';
import { writeFanOut, type FanOutWrites } from '../src/fan-out';
import { loadNotificationSettings } from '../src/settings';
import { collections, deliveryId, type OutboxDoc, type Stores } from '../src/stores';
import { WebhookRegistry } from '../src/webhook-registry';

const text = { title: 'Nhắc hạn', body: 'Báo cáo sắp đến hạn' };
const delivery = (key: string, state: OutboxDoc['state']): OutboxDoc => ({
  _id: deliveryId(key),
  key,
  channel: 'email',
  target: 'cb-01840',
  messageId: `m-${key}`,
  kind: 'deadline.due',
  orgUnit: '01840',
  vi: text,
  en: { title: 'Due', body: 'Report due' },
  template: 'M1719_S',
  period: '2026S1',
  taskId: null,
  reportId: null,
  createdAt: `2026-07-01T00:00:${key.padStart(2, '0')}.000Z`,
  digestDay: null,
  state,
  attempts: state === 'sent' ? 1 : 0,
  nextAt: 0,
  lastError: null,
  sentAt: state === 'sent' ? '2026-07-01T00:01:00.000Z' : null,
});

/** The stores with an account to mail, counting how the outbox is read. */
async function setUp(options: { failing?: () => boolean } = {}): Promise<{ stores: Stores; outboxFinds: () => number; outboxReads: () => string[]; mails: Mail[]; dispatcher: ReturnType<typeof startDispatcher> }> {
  const stores = collections(openSqliteReadStore(':memory:'));
  await stores.accounts.put({ _id: 'cb-01840', orgUnit: '01840', role: 'commune_officer', email: 'cb@xa.gov.vn', disabled: false, createdAt: '2026-01-01T00:00:00.000Z', createdPosition: 1, v: 1 });
  let finds = 0;
  const read: string[] = [];
  const find = stores.outbox.find.bind(stores.outbox);
  const getMany = stores.outbox.getMany.bind(stores.outbox);
  stores.outbox.find = (filter, options) => {
    finds++;
    return find(filter, options);
  };
  stores.outbox.getMany = (ids) => {
    read.push(...ids);
    return getMany(ids);
  };
  const mails: Mail[] = [];
  const settings = { ...loadNotificationSettings({}), dispatchEveryMs: 3_600_000, maxAttempts: 1 };
  const dispatcher = startDispatcher({
    stores,
    settings,
    mailer: {
      send: async (m) => {
        if (options.failing?.()) throw new Error('the SMTP server refused it');
        mails.push(m);
      },
      close: () => undefined,
    },
    webhooks: new WebhookRegistry(openSqliteEventStore(':memory:')),
    clock: () => new Date('2026-07-02T00:00:00.000Z'),
    logger: { warn: () => undefined, error: () => undefined } as never,
  });
  return { stores, outboxFinds: () => finds, outboxReads: () => read.splice(0), mails, dispatcher };
}

const writesOf = (keys: string[]): FanOutWrites => ({
  inbox: [],
  outbox: keys.map((k) => {
    const { _id, ...fields } = delivery(k, 'pending');
    return { id: _id, update: { setOnInsert: fields } };
  }),
});

describe('notification: the dispatcher reads the pending list, not the outbox history', () => {
  it('given many sent deliveries and two new ones, then a pass reads and sends only the two, and empties the list; the same deliveries written again are not sent again', async () => {
    const { stores, outboxFinds, outboxReads, mails, dispatcher } = await setUp();
    try {
      for (let i = 0; i < 50; i++) await stores.outbox.put(delivery(`old${i}`, 'sent'));
      await writeFanOut(stores, writesOf(['1', '2']));
      expect(await dispatcher.runOnce()).toBe(2);
      expect(mails.map((m) => m.deliveryId).sort()).toEqual([deliveryId('1'), deliveryId('2')].sort());
      expect(outboxReads().sort()).toEqual([deliveryId('1'), deliveryId('2')].sort());
      expect(outboxFinds()).toBe(0);
      expect(await stores.outboxPending.find({})).toEqual([]);

      await writeFanOut(stores, writesOf(['1', '2'])); // a redelivered batch: the deliveries exist, sent
      expect(await dispatcher.runOnce()).toBe(0);
      expect(mails).toHaveLength(2);
      expect(await stores.outboxPending.find({})).toEqual([]); // the leftover entries removed
    } finally {
      await dispatcher.stop();
    }
  });

  it('given an outbox from before the pending list, then its pending deliveries are listed once at start and sent', async () => {
    const { stores, outboxFinds, mails, dispatcher } = await setUp();
    try {
      await stores.outbox.put(delivery('legacy', 'pending'));
      await stores.outbox.put(delivery('done', 'sent'));
      expect(await dispatcher.runOnce()).toBe(0); // not listed yet
      await listPendingDeliveries(stores);
      await listPendingDeliveries(stores); // the note: the outbox is read once
      expect(outboxFinds()).toBe(1);
      expect(await dispatcher.runOnce()).toBe(1);
      expect(mails.map((m) => m.deliveryId)).toEqual([deliveryId('legacy')]);
    } finally {
      await dispatcher.stop();
    }
  });

  it('given a delivery that failed every attempt, then it keeps its entry as a dead letter, and a retry sends it and removes the entry', async () => {
    let failing = true;
    const { stores, mails, dispatcher } = await setUp({ failing: () => failing });
    try {
      await writeFanOut(stores, writesOf(['7']));
      expect(await dispatcher.runOnce()).toBe(0);
      expect((await stores.outbox.get(deliveryId('7')))?.state).toBe('dead');
      expect((await stores.outboxPending.find({})).map((e) => e._id)).toEqual([deliveryId('7')]);
      expect(await dispatcher.runOnce()).toBe(0); // a dead letter is not sent by itself
      // what POST /webhooks/{id}/deliveries/{deliveryId}/retry does (the e-mail channel here)
      failing = false;
      await stores.outboxPending.update(deliveryId('7'), { set: { pending: true } });
      await stores.outbox.update(deliveryId('7'), { set: { state: 'pending', attempts: 0, nextAt: 0, lastError: null } });
      expect(await dispatcher.runOnce()).toBe(1);
      expect(mails.map((m) => m.deliveryId)).toEqual([deliveryId('7')]);
      expect(await stores.outboxPending.find({})).toEqual([]);
    } finally {
      await dispatcher.stop();
    }
  });
});
