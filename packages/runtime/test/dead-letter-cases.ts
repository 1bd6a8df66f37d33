import { envelopeHeaders, type StoredEvent } from '@tally/contracts';
import type { EventBus } from '@tally/eventbus';
import { afterEach, expect, it } from 'vitest';
import { createLogger, listDeadLetters, replayDeadLetters, startEventConsumer, type EventConsumer } from '@tally/runtime';
import { sampleEvent, uniqueSuffix, waitFor } from '@tally/testkit/conformance';

/**
 * Poison events on a real bus adapter: the consumer loop dead-letters an event that fails every attempt, the
 * partition moves on, the dead letter can be listed and replayed to the group that failed it (only).
 * `open` gives a fresh bus whose topics (the dead-letter topic too) are this test's own.
 */
export function deadLetterCases(open: () => Promise<{ bus: EventBus; close: () => Promise<void> }>, timeoutMs: number): void {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const logger = createLogger('dead-letter-test', 'silent');
  const topic = 'tally.reports.v1';
  const stored = (subject: string, n: number): StoredEvent => ({ ...sampleEvent(subject, n), streamVersion: n, position: n });
  const publish = (bus: EventBus, events: StoredEvent[]) => bus.publish(topic, events.map((e) => ({ key: e.subject, value: e, headers: envelopeHeaders(e) })));

  const start = async (bus: EventBus, groupId: string, handle: (e: StoredEvent) => void) => {
    const consumer: EventConsumer = await startEventConsumer({
      bus,
      groupId,
      topics: [topic],
      logger,
      maxAttempts: 3,
      handle: async (events) => {
        for (const e of events) handle(e);
      },
    });
    cleanups.push(() => consumer.stop());
    return consumer;
  };

  it(
    'dead-letters an event after N failed attempts with its error; the partition moves on; a replay reaches only the failing group',
    async () => {
      const { bus, close } = await open();
      cleanups.push(close);
      await bus.ensureTopics([
        { name: topic, partitions: 1 },
        { name: 'tally.dead-letters.v1', partitions: 1 },
      ]);
      const subject = `report-T-X${uniqueSuffix()}-2026`;
      const [first, poison, third] = [stored(subject, 1), stored(subject, 2), stored(subject, 3)];

      let fixed = false;
      const attemptsOnPoison: number[] = [];
      const applied: string[] = [];
      const consumer = await start(bus, 'group-strict', (e) => {
        if (e.id === poison.id && !fixed) {
          attemptsOnPoison.push(1);
          throw new Error('unknown catalog version 9');
        }
        applied.push(e.id);
      });
      const otherApplied: string[] = [];
      const other = await start(bus, 'group-other', (e) => void otherApplied.push(e.id));

      await publish(bus, [first, poison, third]);
      await waitFor(() => applied.includes(third.id), timeoutMs, 'the event after the poison one is applied');
      // three deliveries of it failed (the first may also have tried it inside the whole batch)
      expect(attemptsOnPoison.length).toBeGreaterThanOrEqual(3);
      expect(attemptsOnPoison.length).toBeLessThanOrEqual(4);
      expect(applied.filter((id) => id === poison.id)).toEqual([]);
      expect(consumer.deadLettered()).toBe(1);
      expect(other.deadLettered()).toBe(0);
      await waitFor(() => otherApplied.length === 3, timeoutMs, 'the other group applies all three');

      const letters = await listDeadLetters(bus, { timeoutMs });
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({ group: 'group-strict', topic, partition: 0, attempts: 3, replayedAt: null, event: { id: poison.id }, error: { name: 'Error', message: 'unknown catalog version 9' } });

      // the cause is fixed: replay sends it back to group-strict alone
      fixed = true;
      expect(await replayDeadLetters(bus, letters)).toBe(1);
      await waitFor(() => applied.includes(poison.id), timeoutMs, 'the replayed event is applied');
      await waitFor(async () => (await other.lag()).every((l) => l.lag === 0), timeoutMs, 'the other group read the replay');
      expect(otherApplied.filter((id) => id === poison.id)).toHaveLength(1);
      const after = await listDeadLetters(bus, { timeoutMs });
      expect(after).toHaveLength(1);
      expect(after[0]!.replayedAt).not.toBeNull();
    },
    timeoutMs * 4,
  );
}
