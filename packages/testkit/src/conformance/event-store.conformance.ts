import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StreamVersionConflictError, type EventStore } from '@tally/eventstore';
import { sampleEvent } from './sample-events';
import { uniqueSuffix, waitFor } from './wait-for';

export interface EventStoreHarness {
  /** an open store; it may be shared with other suites, but its relay checkpoint must start at 0 */
  store: EventStore;
  /** closes the store and removes its data */
  cleanup(): Promise<void>;
}

/** The behaviour every EventStore adapter must have. Call inside a spec file; the factory runs once per test. */
export function describeEventStoreConformance(adapterName: string, factory: () => Promise<EventStoreHarness>): void {
  describe(`EventStore conformance: ${adapterName}`, () => {
    let harness: EventStoreHarness;
    let store: EventStore;
    const stream = (name: string) => `report-${name}-${uniqueSuffix()}`;

    beforeEach(async () => {
      harness = await factory();
      store = harness.store;
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    it('round-trips every envelope field and assigns versions and positions', async () => {
      const s = stream('roundtrip');
      const events = [1, 2, 3].map((n) => sampleEvent(s, n));
      const result = await store.append(s, events, 'no_stream');
      expect(result.nextVersion).toBe(3);
      expect(result.positions).toHaveLength(3);
      expect(isStrictlyIncreasing(result.positions)).toBe(true);

      const read = await store.readStream(s);
      expect(read).toEqual(events.map((e, i) => ({ ...e, streamVersion: i + 1, position: result.positions[i] })));
      expect(await store.readStream(s, 2)).toEqual(read.slice(1));
      expect(await store.streamVersion(s)).toBe(3);
    });

    it('reports an unknown stream as empty with version 0', async () => {
      const s = stream('missing');
      expect(await store.readStream(s)).toEqual([]);
      expect(await store.streamVersion(s)).toBe(0);
    });

    it('checks a numeric expected version', async () => {
      const s = stream('numeric');
      await store.append(s, [sampleEvent(s, 1)], 0);
      await store.append(s, [sampleEvent(s, 2)], 1);
      const error = await store.append(s, [sampleEvent(s, 3)], 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StreamVersionConflictError);
      expect(error).toMatchObject({ code: 'STREAM_VERSION_CONFLICT', streamId: s, expected: 1, actual: 2 });
      await expect(store.append(s, [sampleEvent(s, 3)], 5)).rejects.toBeInstanceOf(StreamVersionConflictError);
      expect(await store.streamVersion(s)).toBe(2);
    });

    it("checks 'no_stream' and skips the check for 'any'", async () => {
      const s = stream('nostream');
      await store.append(s, [sampleEvent(s, 1)], 'no_stream');
      await expect(store.append(s, [sampleEvent(s, 2)], 'no_stream')).rejects.toBeInstanceOf(StreamVersionConflictError);
      const result = await store.append(s, [sampleEvent(s, 2), sampleEvent(s, 3)], 'any');
      expect(result.nextVersion).toBe(3);
      const fresh = stream('any-new');
      expect((await store.append(fresh, [sampleEvent(fresh, 1)], 'any')).nextVersion).toBe(1);
    });

    it('appends all events of a batch or none', async () => {
      const s = stream('atomic');
      await store.append(s, [sampleEvent(s, 1)], 'no_stream');
      await expect(store.append(s, [sampleEvent(s, 2), sampleEvent(s, 3)], 0)).rejects.toBeInstanceOf(StreamVersionConflictError);
      expect((await store.readStream(s)).map((e) => e.streamVersion)).toEqual([1]);
    });

    it('lets exactly one of 20 concurrent appenders with the same expected version win', async () => {
      const s = stream('race');
      await store.append(s, [sampleEvent(s, 0)], 'no_stream');
      const attempts = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => store.append(s, [sampleEvent(s, i + 1), sampleEvent(s, i + 100)], 1)),
      );
      const won = attempts.filter((a) => a.status === 'fulfilled');
      const lost = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(19);
      for (const l of lost) expect(l.reason).toBeInstanceOf(StreamVersionConflictError);
      expect((await store.readStream(s)).map((e) => e.streamVersion)).toEqual([1, 2, 3]);
    });

    it("lets exactly one of 20 concurrent 'no_stream' appenders create a stream", async () => {
      const s = stream('race-create');
      const attempts = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => store.append(s, [sampleEvent(s, i)], 'no_stream')));
      expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
      for (const a of attempts) if (a.status === 'rejected') expect(a.reason).toBeInstanceOf(StreamVersionConflictError);
      expect((await store.readStream(s)).map((e) => e.streamVersion)).toEqual([1]);
    });

    it('never leaves a gap when concurrent appenders retry their conflicts', async () => {
      const s = stream('retry');
      const appendWithRetry = async (n: number): Promise<void> => {
        for (;;) {
          const version = await store.streamVersion(s);
          try {
            await store.append(s, [sampleEvent(s, n)], version);
            return;
          } catch (e) {
            if (!(e instanceof StreamVersionConflictError)) throw e;
          }
        }
      };
      await Promise.all(Array.from({ length: 10 }, (_, n) => appendWithRetry(n)));
      const read = await store.readStream(s);
      expect(read.map((e) => e.streamVersion)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      expect(new Set(read.map((e) => e.data as { n: number }).map((d) => d.n)).size).toBe(10);
    });

    it('reads all streams in global position order, page by page', async () => {
      const a = stream('all-a');
      const b = stream('all-b');
      const appended = [sampleEvent(a, 1), sampleEvent(b, 1), sampleEvent(a, 2), sampleEvent(b, 2), sampleEvent(a, 3)];
      await store.append(a, [appended[0]!], 'no_stream');
      await store.append(b, [appended[1]!], 'no_stream');
      await store.append(a, [appended[2]!], 1);
      await store.append(b, [appended[3]!], 1);
      await store.append(a, [appended[4]!], 2);

      const ours = new Set(appended.map((e) => e.id));
      const all = [];
      for (let after = 0; ; ) {
        const page = await store.readAll(after, 2);
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(2);
        all.push(...page);
        after = page[page.length - 1]!.position;
      }
      expect(isStrictlyIncreasing(all.map((e) => e.position))).toBe(true);
      expect(all.filter((e) => ours.has(e.id)).map((e) => e.id)).toEqual(appended.map((e) => e.id));
      expect(await store.headPosition()).toBe(all[all.length - 1]!.position);
      expect(all.find((e) => e.id === appended[2]!.id)).toMatchObject({ subject: a, streamVersion: 2 });
    });

    it('moves the relay checkpoint forward only', async () => {
      const s = stream('relay');
      const { positions } = await store.append(s, [sampleEvent(s, 1), sampleEvent(s, 2)], 'no_stream');
      expect(await store.publishedPosition()).toBe(0);
      await store.markPublished(positions[1]!);
      expect(await store.publishedPosition()).toBe(positions[1]);
      await store.markPublished(positions[0]!);
      expect(await store.publishedPosition()).toBe(positions[1]);
    });

    it('keeps a lease for one holder at a time: renewed by it, taken by another once lapsed or released', async () => {
      const name = `lease-${uniqueSuffix()}`;
      expect(await store.acquireLease(name, 'a', 60_000)).toBe(true);
      expect(await store.acquireLease(name, 'b', 60_000)).toBe(false);
      expect(await store.acquireLease(name, 'a', 300)).toBe(true); // renewed (now lapsing soon)
      expect(await store.acquireLease(name, 'b', 60_000)).toBe(false);
      await waitFor(() => store.acquireLease(name, 'b', 60_000), 5_000, 'the lapsed lease is taken by b', 50);
      expect(await store.acquireLease(name, 'a', 60_000)).toBe(false);
      await store.releaseLease(name, 'a'); // not a's: changes nothing
      expect(await store.acquireLease(name, 'a', 60_000)).toBe(false);
      await store.releaseLease(name, 'b');
      expect(await store.acquireLease(name, 'a', 60_000)).toBe(true);
    });
  });
}

function isStrictlyIncreasing(xs: number[]): boolean {
  return xs.every((x, i) => i === 0 || x > xs[i - 1]!);
}
