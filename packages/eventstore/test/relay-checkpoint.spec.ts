import { describe, expect, it } from 'vitest';
import { TOPICS } from '@tally/contracts';
import { openSqliteEventBus } from '@tally/eventbus';
import { RelayLease, openSqliteEventStore, startRelay, type LeaseStore } from '@tally/eventstore';
import { sampleEvent, waitFor } from '@tally/testkit/conformance';

/** A lease record in memory, with a clock the test moves. */
function leaseStore(): LeaseStore & { holder: string | null; expires: number } {
  return {
    holder: null,
    expires: 0,
    async acquireLease(_name, holder, ttlMs) {
      if (this.holder !== null && this.holder !== holder && this.expires > clock.now) return false;
      this.holder = holder;
      this.expires = clock.now + ttlMs;
      return true;
    },
    async releaseLease(_name, holder) {
      if (this.holder === holder) this.holder = null;
    },
  };
}
const clock = { now: 0 };

describe('the relay lease: tenures', () => {
  it('counts a tenure when the lease is taken, not when it is renewed in time, and again after a lapse or another holder', async () => {
    clock.now = 0;
    const store = leaseStore();
    const a = new RelayLease(store, { holder: 'a', ttlMs: 900, now: () => clock.now });
    const b = new RelayLease(store, { holder: 'b', ttlMs: 900, now: () => clock.now });
    expect(await a.hold()).toBe(true);
    expect(a.tenure()).toBe(1);
    clock.now = 400; // renewed in time (checks come every ttl/3)
    expect(await a.hold()).toBe(true);
    clock.now = 800;
    expect(await a.hold()).toBe(true);
    expect(a.tenure()).toBe(1);
    clock.now = 2_000; // a stall longer than the lease: renewed after a lapse, someone may have published meanwhile
    expect(await a.hold()).toBe(true);
    expect(a.tenure()).toBe(2);
    await a.release();
    expect(await b.hold()).toBe(true);
    clock.now = 2_400;
    expect(await a.hold()).toBe(false);
    await b.release();
    clock.now = 2_800;
    expect(await a.hold()).toBe(true);
    expect(a.tenure()).toBe(3);
  });
});

describe('the relay: its checkpoint', () => {
  it('reads the stored checkpoint once per tenure of the lease, not on every pass, and publishes everything', async () => {
    clock.now = 0;
    const store = openSqliteEventStore(':memory:');
    let reads = 0;
    const publishedPosition = store.publishedPosition.bind(store);
    store.publishedPosition = () => {
      reads++;
      return publishedPosition();
    };
    const bus = openSqliteEventBus(':memory:');
    await bus.ensureTopics([{ name: TOPICS.reports, partitions: 2 }]);
    const lease = new RelayLease(leaseStore(), { holder: 'a', ttlMs: 60_000, now: () => clock.now });
    const relay = startRelay({ store, bus, idlePollMs: 5, lease });
    try {
      for (let i = 0; i < 5; i++) await store.append(`report-T-U${i}-2026`, [sampleEvent(`report-T-U${i}-2026`, 1)], 'no_stream');
      relay.nudge();
      await waitFor(async () => (await publishedPosition()) === (await store.headPosition()), 10_000, 'everything published');
      await new Promise((resolve) => setTimeout(resolve, 100)); // idle passes, every 5 ms
      expect(reads).toBe(1);
      // a new tenure (the lease lapsed, another relay may have published): read again
      clock.now = 200_000;
      await lease.hold();
      expect(lease.tenure()).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(reads).toBe(2);
    } finally {
      await relay.stop();
      await bus.close();
      await store.close();
    }
  });
});
