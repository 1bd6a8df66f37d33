import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { TOPICS, type StoredEvent } from '@tally/contracts';
import { openSqliteEventBus, type EventBus, type SqliteEventBus } from '@tally/eventbus';
import { RelayLease, openSqliteEventStore, startRelay, type Relay, type SqliteEventStore } from '@tally/eventstore';
import { runUntilKilled, sampleEvent, waitFor } from '@tally/testkit/conformance';

describe('the relay lease: exactly one relay publishes at a time', () => {
  const dirs: string[] = [];
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const paths = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-relay-lease-'));
    dirs.push(dir);
    return { events: join(dir, 'events.db'), bus: join(dir, 'bus.db') };
  };
  const openStore = (path: string): SqliteEventStore => {
    const s = openSqliteEventStore(path);
    closers.push(() => s.close());
    return s;
  };
  const openBus = async (path: string): Promise<SqliteEventBus> => {
    const b = openSqliteEventBus(path);
    await b.ensureTopics([{ name: TOPICS.reports, partitions: 2 }]);
    closers.push(() => b.close());
    return b;
  };
  const run = (store: SqliteEventStore, bus: EventBus, holder: string, ttlMs: number): Relay => {
    const relay = startRelay({ store, bus, idlePollMs: 10, lease: new RelayLease(store, { holder, ttlMs }) });
    closers.push(() => relay.stop());
    return relay;
  };
  const appendReports = async (store: SqliteEventStore, from: number, n: number) => {
    for (let i = from; i < from + n; i++) await store.append(`report-T-U${i}-2026`, [sampleEvent(`report-T-U${i}-2026`, 1)], 'no_stream');
  };
  /** every event id on the reports topic (read by a group of the test's own) */
  const publishedIds = async (bus: EventBus): Promise<Set<string>> => {
    const ids = new Set<string>();
    const sub = await bus.subscribe({ groupId: `check-${Math.random()}`, topics: [TOPICS.reports], handle: async (batch) => void batch.forEach((m) => ids.add((m.value as StoredEvent).id)) });
    await waitFor(async () => (await sub.lag()).every((l) => l.lag === 0), 10_000, 'read to the end');
    await sub.stop();
    return ids;
  };

  it('two live relays on one store: one holds the lease and publishes, the other publishes nothing', async () => {
    const p = paths();
    const store = openStore(p.events);
    const counted = (bus: EventBus) => {
      let n = 0;
      const wrapped: EventBus = { ...bus, ensureTopics: (t) => bus.ensureTopics(t), subscribe: (o) => bus.subscribe(o), resetGroup: (g, t) => bus.resetGroup(g, t), close: () => bus.close(), publish: async (topic, messages) => {
        n += messages.length;
        await bus.publish(topic, messages);
      } };
      return { bus: wrapped, published: () => n };
    };
    const a = counted(await openBus(p.bus));
    const b = counted(await openBus(p.bus));
    const relayA = run(store, a.bus, 'a', 5_000);
    const relayB = run(openStore(p.events), b.bus, 'b', 5_000);
    await appendReports(store, 0, 20);
    await waitFor(async () => (await store.publishedPosition()) === (await store.headPosition()), 10_000, 'everything published');
    expect([relayA.holdsLease(), relayB.holdsLease()].filter(Boolean)).toHaveLength(1);
    expect([a.published(), b.published()].sort((x, y) => x - y)).toEqual([0, 20]);
  });

  it('a SIGKILLed holder: the lease lapses and another process takes over publishing', async () => {
    const p = paths();
    const store = openStore(p.events);
    const bus = await openBus(p.bus);
    await appendReports(store, 0, 5);
    const script = fileURLToPath(new URL('./fixtures/relay-until-killed.ts', import.meta.url));
    const child = await runUntilKilled(script, [p.events, p.bus, '800'], { killAfter: 1 });
    expect(child.signal).toBe('SIGKILL');
    expect(await store.publishedPosition()).toBe(5);

    // the survivor starts while the dead child's lease is still in force, then takes over once it lapses
    const survivor = run(store, bus, 'survivor', 800);
    await appendReports(store, 5, 5);
    await waitFor(async () => (await store.publishedPosition()) === 10, 10_000, 'the survivor publishes what was appended after the kill');
    expect(survivor.holdsLease()).toBe(true);
    const ids = await publishedIds(bus);
    for (const e of await store.readAll(0, 100)) expect(ids.has(e.id), e.id).toBe(true);
  }, 60_000);
});
