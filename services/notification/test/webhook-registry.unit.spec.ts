import { describe, expect, it } from 'vitest';
import { newEvent, type EventContext } from '@tally/contracts';
import { openSqliteEventStore, type EventStore } from '@tally/eventstore';
import { registerWebhook } from '../src/commands';
import { WebhookRegistry } from '../src/webhook-registry';

const ctx: EventContext = { actor: { id: 'admin' }, correlationId: 'c' };
const hook = (id: string) => ({ id, url: `https://example.org/${id}`, events: ['*'], orgUnit: 'VN', secret: 's', createdBy: 'admin' });

/** the store, counting how often the registry reads the webhooks stream */
function counted(store: EventStore): { store: EventStore; reads: () => number } {
  let reads = 0;
  const readStream = store.readStream.bind(store);
  store.readStream = (streamId, from) => {
    reads++;
    return readStream(streamId, from);
  };
  return { store, reads: () => reads };
}

async function appendReport(store: EventStore, n: number): Promise<number> {
  const stream = `report-T-${n}`;
  const { positions } = await store.append(stream, [newEvent('test', stream, { type: 'tally.report.submitted', data: { n } }, ctx)], 'no_stream');
  return positions[0]!;
}

describe('notification: the webhook registry', () => {
  it('reads the log once for a batch of stored events, and each event gets the webhooks registered before it', async () => {
    const { store, reads } = counted(openSqliteEventStore(':memory:'));
    expect(await registerWebhook(store, hook('a'), ctx)).toBe(true);
    const first = await appendReport(store, 1);
    expect(await registerWebhook(store, hook('b'), ctx)).toBe(true);
    const second = await appendReport(store, 2);
    const third = await appendReport(store, 3);

    const registry = new WebhookRegistry(store);
    const before = reads();
    await registry.refreshFor(third); // the consumer, at the start of a batch holding the three events
    const seen = await Promise.all([first, second, third].map(async (p) => (await registry.before(p)).map((h) => h.id)));
    expect(seen).toEqual([['a'], ['a', 'b'], ['a', 'b']]);
    expect(reads() - before).toBe(1);
  });

  it('reads again for an event stored after its last read, and finds a webhook registered in between', async () => {
    const { store, reads } = counted(openSqliteEventStore(':memory:'));
    const registry = new WebhookRegistry(store);
    const first = await appendReport(store, 1);
    await registry.refreshFor(first);
    expect(await registry.before(first)).toEqual([]);
    expect(await registerWebhook(store, hook('late'), ctx)).toBe(true);
    const later = await appendReport(store, 2);
    const before = reads();
    expect((await registry.before(later)).map((h) => h.id)).toEqual(['late']);
    expect(reads() - before).toBe(1);
  });
});
