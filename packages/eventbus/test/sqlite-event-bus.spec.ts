import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database } from '@tally/sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteEventBus, type BusMessage, type SqliteEventBus, type Subscription } from '@tally/eventbus';
import { describeEventBusConformance, runUntilKilled, waitFor } from '@tally/testkit/conformance';

const tempDirs: string[] = [];
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tally-eventbus-'));
  tempDirs.push(dir);
  return join(dir, 'bus.db');
}
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describeEventBusConformance('sqlite', async () => {
  const path = tempDb();
  const buses = [openSqliteEventBus(path)];
  return {
    bus: buses[0]!,
    reopen: async () => {
      const bus = openSqliteEventBus(path);
      buses.push(bus);
      return bus;
    },
    cleanup: async () => {
      for (const bus of buses) await bus.close();
    },
  };
});

describe('SqliteEventBus', () => {
  const buses: SqliteEventBus[] = [];
  const subs: Subscription[] = [];
  afterEach(async () => {
    for (const s of subs.splice(0)) await s.stop();
    for (const b of buses.splice(0)) await b.close();
  });
  const openBus = (path: string, options?: Parameters<typeof openSqliteEventBus>[1]) => {
    const bus = openSqliteEventBus(path, options);
    buses.push(bus);
    return bus;
  };

  it('splits partitions between members of one group in one process, each partition to one member', async () => {
    const bus = openBus(tempDb());
    await bus.ensureTopics([{ name: 't', partitions: 4 }]);
    const byMember: BusMessage[][] = [[], []];
    for (const seen of byMember) {
      subs.push(await bus.subscribe({ groupId: 'g', topics: ['t'], handle: async (b) => void seen.push(...b) }));
    }
    await bus.publish('t', Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: i })));
    await waitFor(() => byMember[0]!.length + byMember[1]!.length === 100, 5_000, '100 messages');
    const partitionsOf = (ms: BusMessage[]) => new Set(ms.map((m) => m.partition));
    expect([...partitionsOf(byMember[0]!)].sort()).toEqual([0, 2]);
    expect([...partitionsOf(byMember[1]!)].sort()).toEqual([1, 3]);
  });

  it('parses a message once for every group of the process: the groups share it, frozen, and still see it whole', async () => {
    const bus = openBus(tempDb());
    await bus.ensureTopics([{ name: 't', partitions: 1 }]);
    const seen: Record<string, BusMessage[]> = { a: [], b: [] };
    for (const groupId of ['a', 'b']) {
      subs.push(await bus.subscribe({ groupId, topics: ['t'], handle: async (batch) => void seen[groupId]!.push(...batch) }));
    }
    const value = { type: 'tally.report.submitted', data: { values: { 'HH:F': 3 }, tags: ['x'] } };
    await bus.publish('t', [{ key: 'r1', value, headers: { type: 'submitted' } }]);
    await waitFor(() => seen.a!.length === 1 && seen.b!.length === 1, 5_000, 'both groups');
    const [a, b] = [seen.a![0]!, seen.b![0]!];
    expect(a.value).toEqual(value);
    expect(b.value).toEqual(value);
    expect(a.headers).toEqual({ type: 'submitted' });
    // one parse, shared: nothing a handler does to it can reach the other group
    expect(Object.isFrozen(a) && Object.isFrozen(a.value) && Object.isFrozen((a.value as typeof value).data.values)).toBe(true);
    expect(() => ((a.value as typeof value).data.tags as string[]).push('y')).toThrow(TypeError);
    expect(b.value).toEqual(value);
  });

  it('tells onError about each failed attempt and backs off', async () => {
    const bus = openBus(tempDb(), { retryInitialMs: 5, retryMaxMs: 20 });
    await bus.ensureTopics([{ name: 't', partitions: 1 }]);
    await bus.publish('t', [{ key: 'k', value: 1 }]);
    const errors: Array<{ attempt: number; retryInMs: number; firstOffset: number }> = [];
    let calls = 0;
    subs.push(
      await bus.subscribe({
        groupId: 'g',
        topics: ['t'],
        handle: async () => {
          if (++calls <= 4) throw new Error('boom');
        },
        onError: (_e, ctx) => errors.push(ctx),
      }),
    );
    await waitFor(() => calls === 5, 5_000, 'the fifth attempt');
    expect(errors.map((e) => e.attempt)).toEqual([1, 2, 3, 4]);
    expect(errors.map((e) => e.retryInMs)).toEqual([5, 10, 20, 20]);
    expect(errors.every((e) => e.firstOffset === 0)).toBe(true);
  });

  it('wakes a subscriber at once on a publish from another instance in the same process', async () => {
    const path = tempDb();
    const producer = openBus(path);
    const consumer = openBus(path, { pollIntervalMs: 60_000 });
    await producer.ensureTopics([{ name: 't', partitions: 2 }]);
    const seen: unknown[] = [];
    subs.push(await consumer.subscribe({ groupId: 'g', topics: ['t'], handle: async (b) => void seen.push(...b.map((m) => m.value)) }));
    await new Promise((resolve) => setTimeout(resolve, 30)); // let the subscriber go idle on its long poll
    await producer.publish('t', [{ key: 'a', value: 'hello' }]);
    await waitFor(() => seen.length === 1, 2_000, 'the wake-up');
  });

  it('notices, while idle, a message committed by another connection (as from another process)', async () => {
    const path = tempDb();
    const bus = openBus(path, { pollIntervalMs: 10 });
    await bus.ensureTopics([{ name: 't', partitions: 1 }]);
    const seen: unknown[] = [];
    subs.push(await bus.subscribe({ groupId: 'g', topics: ['t'], handle: async (b) => void seen.push(...b.map((m) => m.value)) }));
    await new Promise((resolve) => setTimeout(resolve, 50)); // idle passes are now being skipped
    const other = new Database(path);
    other.prepare(`INSERT INTO messages VALUES ('t', 0, 0, 'k', '"outside"', '{}')`).run();
    other.close();
    // well before the one-second safety pass: the change was seen through PRAGMA data_version
    await waitFor(() => seen.length === 1, 500, 'the outside message');
    expect(seen).toEqual(['outside']);
  });

  it('refuses unknown topics', async () => {
    const bus = openBus(tempDb());
    await expect(bus.publish('nope', [{ key: 'k', value: 1 }])).rejects.toThrow(/unknown topic/);
    await expect(bus.subscribe({ groupId: 'g', topics: ['nope'], handle: async () => {} })).rejects.toThrow(/unknown topic/);
  });

  it('loses no acknowledged publish when two publisher processes are SIGKILLed', async () => {
    const path = tempDb();
    const bus = openBus(path);
    await bus.ensureTopics([{ name: 'crash', partitions: 3 }]);
    const script = fileURLToPath(new URL('./fixtures/publish-until-killed.ts', import.meta.url));
    const [one, two] = await Promise.all([
      runUntilKilled(script, [path, 'crash', 'one'], { killAfter: 300 }),
      runUntilKilled(script, [path, 'crash', 'two'], { killAfter: 300 }),
    ]);
    expect(one.signal).toBe('SIGKILL');

    const seen = new Set<string>();
    // per key and writer, the sequence numbers as delivered: a publisher's order must hold within a key
    const order = new Map<string, number[]>();
    subs.push(
      await bus.subscribe({
        groupId: 'verify',
        topics: ['crash'],
        handle: async (batch) => {
          for (const m of batch) {
            const id = (m.value as { id: string }).id;
            seen.add(id);
            const [writer, i] = id.split('-');
            const k = `${m.key}/${writer}`;
            order.set(k, [...(order.get(k) ?? []), Number(i)]);
          }
        },
      }),
    );
    const acked = [...one.acked, ...two.acked];
    await waitFor(() => acked.every((id) => seen.has(id)), 10_000, 'every acknowledged message');
    for (const seqs of order.values()) expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const lag = await subs[0]!.lag();
    expect(lag.reduce((n, l) => n + l.end, 0)).toBeGreaterThanOrEqual(acked.length);
  }, 60_000);
});

describe('SqliteEventBus group commit of offsets', () => {
  it('writes the offsets committed in one turn together, after it, and reads its own pending ones at once', async () => {
    const path = tempDb();
    const bus = openSqliteEventBus(path);
    const other = new Database(path, { readonly: true });
    try {
      await bus.ensureTopics([{ name: 't', partitions: 2 }]);
      const stored = () => other.prepare('SELECT group_id, partition_no, committed FROM group_offsets ORDER BY group_id, partition_no').all();
      bus.log.commit('g1', { topic: 't', partition: 0 }, 3);
      bus.log.commit('g2', { topic: 't', partition: 1 }, 5);
      bus.log.commit('g1', { topic: 't', partition: 0 }, 4); // a later batch of the same partition in the same turn
      expect(bus.log.committed('g1', { topic: 't', partition: 0 })).toBe(4);
      expect(stored()).toEqual([]); // nothing written yet
      await new Promise((resolve) => setImmediate(resolve));
      expect(stored()).toEqual([
        { group_id: 'g1', partition_no: 0, committed: 4 },
        { group_id: 'g2', partition_no: 1, committed: 5 },
      ]);
      bus.log.commit('g2', { topic: 't', partition: 1 }, 6);
      await bus.close(); // close writes what is pending
      expect(stored()).toContainEqual({ group_id: 'g2', partition_no: 1, committed: 6 });
    } finally {
      other.close();
      await bus.close();
    }
  });
});

describe('SqliteEventBus lingerMs', () => {
  it('delivers an idle partition at once and holds a partial batch back while messages keep coming', async () => {
    const bus = openSqliteEventBus(tempDb());
    try {
      await bus.ensureTopics([{ name: 't', partitions: 1 }]);
      const batches: number[][] = [];
      const sub = await bus.subscribe({ groupId: 'g', topics: ['t'], lingerMs: 1_500, handle: async (b) => void batches.push(b.map((m) => m.value as number)) });
      await bus.publish('t', [{ key: 'k', value: 0 }]);
      await waitFor(() => batches.length === 1);
      // five publishes 30 ms apart (each would be a batch of its own without linger), within the linger that
      // started with the first delivery: one batch of five
      for (let i = 1; i <= 5; i++) {
        await new Promise((resolve) => setTimeout(resolve, 30));
        await bus.publish('t', [{ key: 'k', value: i }]);
      }
      await waitFor(() => batches.flat().length === 6, 5_000);
      expect(batches).toEqual([[0], [1, 2, 3, 4, 5]]);
      await sub.stop();
    } finally {
      await bus.close();
    }
  });
});
