import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteEventBus } from '@tally/eventbus';
import { waitFor } from '@tally/testkit/conformance';
import { flushBeforeCommit } from '@tally/runtime';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('flushBeforeCommit', () => {
  it("commits a batch's offsets only once the read store's flush has resolved", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-flush-'));
    dirs.push(dir);
    const raw = openSqliteEventBus(join(dir, 'bus.db'));
    let release!: () => void;
    const flushed = new Promise<void>((resolve) => (release = resolve));
    let flushes = 0;
    const bus = flushBeforeCommit(raw, () => {
      flushes++;
      return flushed;
    });
    await bus.ensureTopics([{ name: 't', partitions: 1 }]);
    await bus.publish('t', [{ key: 'k', value: { n: 1 } }]);
    const handled: unknown[] = [];
    const sub = await bus.subscribe({ groupId: 'g', topics: ['t'], from: 'earliest', handle: async (batch) => void handled.push(...batch.map((m) => m.value)) });
    try {
      await waitFor(() => flushes === 1);
      expect(handled).toEqual([{ n: 1 }]);
      // handled, but the store has not made its writes durable: the offset stays where it was
      expect((await sub.lag())[0]).toMatchObject({ committed: 0, lag: 1 });
      release();
      await waitFor(async () => (await sub.lag())[0]!.committed === 1);
      expect(handled).toEqual([{ n: 1 }]); // delivered once
    } finally {
      await sub.stop();
      await raw.close();
    }
  });
});
