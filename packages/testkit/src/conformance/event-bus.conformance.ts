import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { partitionFor, type BusMessage, type EventBus, type SubscribeOptions, type Subscription } from '@tally/eventbus';
import { uniqueSuffix, waitFor } from './wait-for';

export interface EventBusHarness {
  /** an open bus */
  bus: EventBus;
  /** a NEW bus instance on the same underlying log (same file, same brokers); the test closes the old one first */
  reopen(): Promise<EventBus>;
  /** closes whatever is still open and removes the data */
  cleanup(): Promise<void>;
}

interface Received {
  messages: BusMessage[];
  batches: BusMessage[][];
}

/** The behaviour every EventBus adapter must have. The factory runs once per test. */
export function describeEventBusConformance(
  adapterName: string,
  factory: () => Promise<EventBusHarness>,
  options: { timeoutMs?: number } = {},
): void {
  const timeoutMs = options.timeoutMs ?? 20_000;

  describe(`EventBus conformance: ${adapterName}`, () => {
    let harness: EventBusHarness;
    let bus: EventBus;
    let subscriptions: Subscription[];
    let topic: string;
    let group: (name: string) => string;

    beforeEach(async () => {
      harness = await factory();
      bus = harness.bus;
      subscriptions = [];
      const suffix = uniqueSuffix();
      topic = `conformance.${suffix}`;
      group = (name) => `conformance-${name}-${suffix}`;
      await bus.ensureTopics([{ name: topic, partitions: 4 }]);
    });
    afterEach(async () => {
      await Promise.all(subscriptions.map((s) => s.stop()));
      await harness.cleanup();
    });

    const collect = async (
      on: EventBus,
      groupId: string,
      extra: Partial<SubscribeOptions> = {},
    ): Promise<Received & { subscription: Subscription }> => {
      const received: Received = { messages: [], batches: [] };
      const subscription = await on.subscribe({
        groupId,
        topics: [topic],
        handle: async (batch) => {
          received.batches.push(batch);
          received.messages.push(...batch);
        },
        ...extra,
      });
      subscriptions.push(subscription);
      return { ...received, subscription };
    };
    const until = (what: string, predicate: () => boolean | Promise<boolean>) => waitFor(predicate, timeoutMs, what);
    const totalLag = async (s: Subscription) => (await s.lag()).filter((l) => l.topic === topic).reduce((n, l) => n + l.lag, 0);
    const publishNumbered = async (on: EventBus, prefix: string, count: number) => {
      await on.publish(
        topic,
        Array.from({ length: count }, (_, i) => ({ key: `${prefix}-${i % 5}`, value: { prefix, i } })),
      );
    };

    it('keeps per-key order across many keys and partitions, and places keys like partitionFor', async () => {
      const keys = Array.from({ length: 40 }, (_, k) => `report-${k}`);
      for (let seq = 0; seq < 10; seq++) {
        await bus.publish(topic, keys.map((key) => ({ key, value: { key, seq }, headers: { seq: String(seq) } })));
      }
      const r = await collect(bus, group('order'));
      await until('400 messages', () => r.messages.length >= 400);

      for (const batch of r.batches) {
        expect(new Set(batch.map((m) => m.partition)).size).toBe(1);
        expect(batch.every((m, i) => i === 0 || m.offset > batch[i - 1]!.offset)).toBe(true);
      }
      const partitionsOfKey = new Map<string, Set<number>>();
      const seqsOfKey = new Map<string, number[]>();
      for (const m of r.messages) {
        expect(m.topic).toBe(topic);
        expect(m.partition).toBe(partitionFor(m.key, 4));
        expect(m.headers.seq).toBe(String((m.value as { seq: number }).seq));
        partitionsOfKey.set(m.key, (partitionsOfKey.get(m.key) ?? new Set()).add(m.partition));
        seqsOfKey.set(m.key, [...(seqsOfKey.get(m.key) ?? []), (m.value as { seq: number }).seq]);
      }
      expect(new Set(r.messages.map((m) => m.partition)).size).toBeGreaterThan(1);
      for (const key of keys) {
        expect(partitionsOfKey.get(key)?.size).toBe(1);
        expect(dedupe(seqsOfKey.get(key) ?? [])).toEqual(Array.from({ length: 10 }, (_, i) => i));
      }
    });

    it('redelivers a batch whose handler threw, losing nothing and keeping order', async () => {
      await publishNumbered(bus, 'retry', 20);
      const seen: number[] = [];
      let thrown = false;
      const sub = await bus.subscribe({
        groupId: group('retry'),
        topics: [topic],
        handle: async (batch) => {
          if (!thrown && batch.some((m) => (m.value as { i: number }).i === 7)) {
            thrown = true;
            throw new Error('simulated crash before commit');
          }
          seen.push(...batch.map((m) => (m.value as { i: number }).i));
        },
      });
      subscriptions.push(sub);
      await until('all 20 after a retry', () => new Set(seen).size === 20);
      expect(thrown).toBe(true);
      expect(seen).toContain(7);
      await until('lag 0', async () => (await totalLag(sub)) === 0);
    });

    it('stop() while a handler keeps failing leaves the batch uncommitted for the next member of the group', async () => {
      await publishNumbered(bus, 'crash', 10);
      let attempts = 0;
      const failing = await bus.subscribe({
        groupId: group('crash'),
        topics: [topic],
        handle: async () => {
          attempts += 1;
          throw new Error('always failing');
        },
      });
      await until('a failed attempt', () => attempts > 0);
      await failing.stop();
      const r = await collect(bus, group('crash'));
      await until('all 10 redelivered', () => new Set(r.messages.map((m) => (m.value as { i: number }).i)).size === 10);
    });

    it('stop() lets the in-flight batch finish and commit', async () => {
      await publishNumbered(bus, 'inflight', 1);
      let started = false;
      let finished = false;
      const sub = await bus.subscribe({
        groupId: group('inflight'),
        topics: [topic],
        handle: async () => {
          started = true;
          await new Promise((resolve) => setTimeout(resolve, 300));
          finished = true;
        },
      });
      await until('the handler to start', () => started);
      await sub.stop();
      expect(finished).toBe(true);
      const again = await collect(bus, group('inflight'));
      await publishNumbered(bus, 'after', 1);
      await until('the later message', () => again.messages.length > 0);
      expect(again.messages.map((m) => (m.value as { prefix: string }).prefix)).toEqual(['after']);
    });

    it('replays from zero after resetGroup', async () => {
      await publishNumbered(bus, 'replay', 12);
      const first = await collect(bus, group('replay'));
      await until('12 messages', () => first.messages.length >= 12);
      await until('lag 0', async () => (await totalLag(first.subscription)) === 0);
      await first.subscription.stop();

      await bus.resetGroup(group('replay'), [topic]);
      const second = await collect(bus, group('replay'));
      await until('12 replayed', () => new Set(second.messages.map((m) => (m.value as { i: number }).i)).size === 12);
    });

    it('keeps committed offsets across closing and reopening the bus', async () => {
      await publishNumbered(bus, 'old', 10);
      const first = await collect(bus, group('durable'));
      await until('10 messages', () => first.messages.length >= 10);
      await until('lag 0', async () => (await totalLag(first.subscription)) === 0);
      await first.subscription.stop();
      subscriptions = [];
      await bus.close();

      const reopened = await harness.reopen();
      await publishNumbered(reopened, 'new', 5);
      const second = await collect(reopened, group('durable'));
      await until('5 new messages', () => second.messages.length >= 5);
      await until('lag 0 again', async () => (await totalLag(second.subscription)) === 0);
      expect(second.messages.map((m) => (m.value as { prefix: string }).prefix)).toEqual(Array(5).fill('new'));
    });

    it('gives every group every message, independently', async () => {
      await publishNumbered(bus, 'groups', 15);
      const a = await collect(bus, group('a'));
      const b = await collect(bus, group('b'));
      await until('group a', () => a.messages.length >= 15);
      await until('group b', () => b.messages.length >= 15);
      await a.subscription.stop();
      await publishNumbered(bus, 'more', 5);
      await until('group b gets more', () => b.messages.length >= 20);
      expect((await a.subscription.lag()).reduce((n, l) => n + l.lag, 0)).toBe(5);
    });

    it('splits the work between members of one group without losing messages', async () => {
      const a = await collect(bus, group('shared'));
      const b = await collect(bus, group('shared'));
      await publishNumbered(bus, 'shared', 40);
      await until('40 distinct messages in the group', () => {
        const all = [...a.messages, ...b.messages].map((m) => (m.value as { i: number }).i);
        return new Set(all).size === 40;
      });
    });

    it('starts a new group at the end with from=latest', async () => {
      await publishNumbered(bus, 'before', 5);
      const r = await collect(bus, group('latest'), { from: 'latest' });
      await publishNumbered(bus, 'after', 3);
      await until('3 new messages', () => r.messages.length >= 3);
      expect(r.messages.every((m) => (m.value as { prefix: string }).prefix === 'after')).toBe(true);
    });

    it('reports lag per partition', async () => {
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const sub = await bus.subscribe({ groupId: group('lag'), topics: [topic], handle: () => gate });
      subscriptions.push(sub);
      await publishNumbered(bus, 'lag', 8);
      await until('lag 8', async () => (await totalLag(sub)) === 8);
      const before = (await sub.lag()).filter((l) => l.topic === topic);
      expect(before.map((l) => l.partition).sort()).toEqual([0, 1, 2, 3]);
      expect(before.reduce((n, l) => n + l.end, 0)).toBe(8);
      for (const l of before) expect(l.lag).toBe(l.end - l.committed);

      open();
      await until('lag 0', async () => (await totalLag(sub)) === 0);
      for (const l of await sub.lag()) expect(l.committed).toBe(l.end);
    });
  });
}

function dedupe(xs: number[]): number[] {
  // at-least-once: a redelivered run repeats earlier items; order is judged on first occurrences
  return xs.filter((x, i) => xs.indexOf(x) === i);
}
