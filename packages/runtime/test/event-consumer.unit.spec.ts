import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '@tally/contracts';
import { openSqliteEventBus } from '@tally/eventbus';
import { sampleEvent, waitFor } from '@tally/testkit/conformance';
import { createLogger, startEventConsumer } from '@tally/runtime';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const stored = (n: number): StoredEvent => ({ ...sampleEvent('report-x', n), streamVersion: n, position: n }) as StoredEvent;

describe('event consumer: handleBatch', () => {
  it('hands the whole batch to handleBatch, and one event at a time to handle when the batch fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-consumer-'));
    dirs.push(dir);
    const bus = openSqliteEventBus(join(dir, 'bus.db'));
    await bus.ensureTopics([{ name: 't', partitions: 1 }]);
    await bus.publish('t', [1, 2, 3].map((n) => ({ key: 'report-x', value: stored(n) })));
    const batches: number[][] = [];
    const single: number[][] = [];
    const consumer = await startEventConsumer({
      bus,
      groupId: 'g',
      topics: ['t'],
      logger: createLogger('test', 'silent'),
      handleBatch: async (events) => {
        batches.push(events.map((e) => e.position));
        if (events.some((e) => e.position === 2)) throw new Error('the batch holds an event its handler cannot apply');
      },
      handle: async (events) => void single.push(events.map((e) => e.position)),
    });
    try {
      await waitFor(() => single.length === 3);
      expect(batches).toEqual([[1, 2, 3]]);
      expect(single).toEqual([[1], [2], [3]]);
      expect(await consumer.waitUntilCaughtUp(5_000)).toBe(true);
    } finally {
      await consumer.stop();
      await bus.close();
    }
  });
});
