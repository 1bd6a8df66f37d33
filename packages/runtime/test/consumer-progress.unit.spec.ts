import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '@tally/contracts';
import { openSqliteEventBus, type PartitionLag, type Subscription } from '@tally/eventbus';
import { openSqliteReadStore } from '@tally/readstore';
import { sampleEvent, waitFor } from '@tally/testkit/conformance';
import { ConsumerProgress, createLogger, savedProgress, startEventConsumer } from '@tally/runtime';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const subscriptionWith = (lags: PartitionLag[]): Subscription => ({ groupId: 'g', stop: async () => {}, lag: async () => lags });
const lagOf = (topic: string, partition: number, lag: number): PartitionLag => ({ topic, partition, committed: 0, end: lag, lag });

describe('consumer progress: keyed by topic and partition', () => {
  it('does not count one topic partition as applied because another topic has applied its partition of the same number', async () => {
    const progress = new ConsumerProgress();
    // topic b's partition 0 still has an event to apply; topic a's partition 0 applied up to 10
    progress.attach(subscriptionWith([lagOf('a', 0, 0), lagOf('b', 0, 1)]));
    progress.record('a', 0, 10);
    expect(await progress.covers(10)).toBe(false);
    progress.record('b', 0, 12);
    expect(await progress.covers(10)).toBe(true);
    expect(progress.snapshot()).toEqual({ 'a:0': 10, 'b:0': 12 });
  });

  it('reads progress documents written before the topic was part of the key only for a consumer of one topic', () => {
    const old = { _id: 'progress:g:p3', group: 'g', partition: 3, position: 40 };
    expect(savedProgress(old, 'g', ['t'])).toEqual({ topic: 't', partition: 3, position: 40 });
    expect(savedProgress(old, 'g', ['t', 'u'])).toBeNull();
    expect(savedProgress({ ...old, topic: 'u' }, 'g', ['t', 'u'])).toEqual({ topic: 'u', partition: 3, position: 40 });
    expect(savedProgress({ ...old, topic: 'elsewhere' }, 'g', ['t', 'u'])).toBeNull();
    expect(savedProgress(old, 'other-group', ['t'])).toBeNull();
  });

  it('saves a consumer of two topics its progress per topic partition, and a restarted consumer reads it back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-progress-'));
    dirs.push(dir);
    const bus = openSqliteEventBus(join(dir, 'bus.db'));
    const store = openSqliteReadStore(join(dir, 'read.db'));
    const progressStore = store.collection('progress');
    await bus.ensureTopics([
      { name: 'a', partitions: 1 },
      { name: 'b', partitions: 1 },
    ]);
    const stored = (n: number): StoredEvent => ({ ...sampleEvent(`s-${n}`, 1), streamVersion: 1, position: n }) as StoredEvent;
    await bus.publish('a', [{ key: 'k', value: stored(5) }]);
    await bus.publish('b', [{ key: 'k', value: stored(7) }]);
    const applied: string[] = [];
    const start = () =>
      startEventConsumer({
        bus,
        groupId: 'g',
        topics: ['a', 'b'],
        logger: createLogger('test', 'silent'),
        progressStore,
        handle: async (events) => void applied.push(...events.map((e) => String(e.position))),
      });
    const consumer = await start();
    try {
      await waitFor(() => applied.length === 2);
      expect(await consumer.waitUntilCaughtUp(5_000)).toBe(true);
    } finally {
      await consumer.stop();
    }
    const docs = (await progressStore.find({ group: 'g' })).map(({ _id, topic, partition, position }) => ({ _id, topic, partition, position }));
    expect(docs.sort((x, y) => x._id.localeCompare(y._id))).toEqual([
      { _id: 'progress:g:a:p0', topic: 'a', partition: 0, position: 5 },
      { _id: 'progress:g:b:p0', topic: 'b', partition: 0, position: 7 },
    ]);
    const again = await start();
    try {
      expect(again.progress.snapshot()).toEqual({ 'a:0': 5, 'b:0': 7 });
    } finally {
      await again.stop();
      await bus.close();
      await store.close();
    }
  });
});
