// Integration: the EventStore conformance suite, plus concurrency, against a real MongoDB-wire server
// (FerretDB locally; testkit's global setup provides it).
import { MongoClient } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createMongoEventStore, StreamVersionConflictError, type MongoEventStore } from '@tally/eventstore';
import { describeEventStoreConformance, sampleEvent, uniqueSuffix } from '@tally/testkit/conformance';

const mongoUrl = inject('mongoUrl');

describe.skipIf(!mongoUrl)('MongoEventStore (real server)', () => {
  let admin: MongoClient;
  const dbNames: string[] = [];
  beforeAll(async () => {
    admin = new MongoClient(mongoUrl);
    await admin.connect();
  });
  afterAll(async () => {
    for (const name of dbNames) await admin.db(name).dropDatabase().catch(() => undefined);
    await admin.close();
  });
  const freshDb = () => {
    const name = `es_${uniqueSuffix()}`;
    dbNames.push(name);
    return name;
  };

  // twice: with the server's own dialect (FerretDB here: everything found by _id) and with the MongoDB dialect forced
  // (index queries, as on a real MongoDB; FerretDB answers them by scanning)
  for (const dialect of [undefined, 'mongodb'] as const) {
    describeEventStoreConformance(dialect ? 'mongodb (MongoDB dialect)' : 'mongodb (detected dialect)', async () => {
      const dbName = freshDb();
      const store = await createMongoEventStore({ url: mongoUrl, dbName, ...(dialect ? { dialect } : {}) });
      return {
        store,
        cleanup: async () => {
          await store.close();
          await admin.db(dbName).dropDatabase();
        },
      };
    });
  }

  describe('MongoEventStore specifics', () => {
    const open: MongoEventStore[] = [];
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });
    /** a client of its own, counting the `command` commands it sends on `collection` */
    const countingClient = async (command: string, collection: string) => {
      const client = new MongoClient(mongoUrl, { monitorCommands: true });
      await client.connect();
      const count = { value: 0, reset: () => void (count.value = 0) };
      client.on('commandStarted', (e) => {
        if (e.commandName === command && (e.command as Record<string, unknown>)[command] === collection) count.value += 1;
      });
      return { client, count };
    };
    /** every store gets its own client, as separate processes would */
    const openStore = async (dbName: string) => {
      const s = await createMongoEventStore({ url: mongoUrl, dbName });
      open.push(s);
      return s;
    };

    it('never lets readAll reveal a position below one it already returned, under concurrent appenders', async () => {
      const dbName = freshDb();
      const writers = await Promise.all([openStore(dbName), openStore(dbName), openStore(dbName)]);
      const reader = await openStore(dbName);
      const appended = new Set<string>();
      let writing = true;

      // 20 appenders on ONE stream, each retrying its conflicts until its two events are in; 10 appenders on their own streams
      const shared = `report-shared-${uniqueSuffix()}`;
      const onShared = Array.from({ length: 20 }, async (_, w) => {
        const store = writers[w % writers.length]!;
        const events = [sampleEvent(shared, w), sampleEvent(shared, w + 50)];
        for (;;) {
          const version = await store.streamVersion(shared);
          try {
            await store.append(shared, events, version);
            for (const e of events) appended.add(e.id);
            return;
          } catch (e) {
            if (!(e instanceof StreamVersionConflictError)) throw e;
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 20)); // jittered retry, as a client would
          }
        }
      });
      const ownStreams = Array.from({ length: 10 }, async (_, w) => {
        const store = writers[w % writers.length]!;
        const stream = `report-own-${w}-${uniqueSuffix()}`;
        for (let n = 0; n < 6; n++) {
          const events = Array.from({ length: 1 + (n % 3) }, (_, k) => sampleEvent(stream, n * 10 + k));
          await store.append(stream, events, n === 0 ? 'no_stream' : 'any');
          for (const e of events) appended.add(e.id);
        }
      });

      // a relay-like reader: pages from its checkpoint, and must never see a position at or below it later
      const seen: string[] = [];
      let checkpoint = 0;
      let pages = 0;
      const readPage = async () => {
        const page = await reader.readAll(checkpoint, 7);
        for (const e of page) {
          expect(e.position).toBeGreaterThan(checkpoint);
          checkpoint = e.position;
          seen.push(e.id);
        }
        pages += 1;
        return page.length;
      };
      const readerLoop = (async () => {
        while (writing) {
          await readPage();
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();
      await Promise.all([...onShared, ...ownStreams]);
      writing = false;
      await readerLoop;
      while ((await readPage()) > 0);

      expect(pages).toBeGreaterThan(5);
      expect(new Set(seen).size).toBe(seen.length);
      expect(new Set(seen)).toEqual(appended);
      expect(appended.size).toBe(20 * 2 + 10 * (1 + 2 + 3 + 1 + 2 + 3));
      const versions = (await reader.readStream(shared)).map((e) => e.streamVersion);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
      expect(await reader.headPosition()).toBe(checkpoint);
    }, 120_000);

    it('keeps positions gapless and the checkpoint monotonic when writers in several clients race', async () => {
      const dbName = freshDb();
      const stores = await Promise.all(Array.from({ length: 4 }, () => openStore(dbName)));
      await Promise.all(
        Array.from({ length: 12 }, async (_, w) => {
          const s = `report-gapless-${w}-${uniqueSuffix()}`;
          for (let n = 0; n < 4; n++) await stores[w % 4]!.append(s, [sampleEvent(s, n), sampleEvent(s, n + 10)], n === 0 ? 'no_stream' : n * 2);
        }),
      );
      const all = await stores[0]!.readAll(0, 1_000);
      expect(all.map((e) => e.position)).toEqual(Array.from({ length: 96 }, (_, i) => i + 1));
      await Promise.all([40, 96, 12, 60].map((p, i) => stores[i]!.markPublished(p)));
      expect(await stores[1]!.publishedPosition()).toBe(96);
      await stores[2]!.markPublished(3);
      expect(await stores[3]!.publishedPosition()).toBe(96);
    });

    it('FerretDB dialect: heals a stream whose writer died between its commit and its streams document', async (ctx) => {
      const dbName = freshDb();
      const store = await openStore(dbName);
      if (store.dialect !== 'ferretdb') ctx.skip();
      const s = `report-heal-${uniqueSuffix()}`;
      await store.append(s, [sampleEvent(s, 1)], 'no_stream');
      await store.append(s, [sampleEvent(s, 2), sampleEvent(s, 3)], 1);
      await admin.db(dbName).collection('streams').deleteOne({ _id: `${s}:2` as never }); // the crash
      expect(await store.streamVersion(s)).toBe(1); // looks one commit short
      await expect(store.append(s, [sampleEvent(s, 4)], 1)).rejects.toBeInstanceOf(StreamVersionConflictError);
      expect(await store.streamVersion(s)).toBe(3); // healed by the collision
      expect(await store.append(s, [sampleEvent(s, 4)], 3)).toMatchObject({ nextVersion: 4 });
      expect((await store.readStream(s)).map((e) => e.streamVersion)).toEqual([1, 2, 3, 4]);

      const t = `report-heal-any-${uniqueSuffix()}`;
      await store.append(t, [sampleEvent(t, 1)], 'no_stream');
      await admin.db(dbName).collection('streams').deleteOne({ _id: `${t}:1` as never });
      expect(await store.append(t, [sampleEvent(t, 2)], 'any')).toMatchObject({ nextVersion: 2 });
      expect((await store.readStream(t)).map((e) => e.streamVersion)).toEqual([1, 2]);
    });

    it('FerretDB dialect: an expected version is confirmed by one streams lookup, and a stale or made-up one is still refused', async (ctx) => {
      const { client, count } = await countingClient('find', 'streams');
      const store = await createMongoEventStore({ db: client.db(freshDb()) });
      try {
        if (store.dialect !== 'ferretdb') ctx.skip();
        const s = `report-confirm-${uniqueSuffix()}`;
        await store.append(s, [sampleEvent(s, 1)], 'no_stream');
        for (let v = 1; v < 6; v++) await store.append(s, [sampleEvent(s, v + 1)], v);
        count.reset();
        expect(await store.append(s, [sampleEvent(s, 7)], 6)).toMatchObject({ nextVersion: 7 });
        expect(count.value).toBe(1); // the whole chain before (`:1` ... `:6` and the miss at `:7`): 7
        await expect(store.append(s, [sampleEvent(s, 8)], 5)).rejects.toMatchObject({ expected: 5, actual: 7 });
        await expect(store.append(s, [sampleEvent(s, 8)], 9)).rejects.toMatchObject({ expected: 9, actual: 7 });
        expect((await store.readStream(s)).map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      } finally {
        await store.close();
        await client.close();
      }
    });

    it('reads on from inside a multi-event commit and stops at the head', async () => {
      const store = await openStore(freshDb());
      const s = `report-cut-${uniqueSuffix()}`;
      await store.append(s, [sampleEvent(s, 1), sampleEvent(s, 2), sampleEvent(s, 3)], 'no_stream');
      for (let n = 0; n < 40; n++) {
        const o = `report-one-${n}-${uniqueSuffix()}`;
        await store.append(o, [sampleEvent(o, n)], 'no_stream');
      }
      expect((await store.readAll(0, 2)).map((e) => e.position)).toEqual([1, 2]);
      expect((await store.readAll(2, 3)).map((e) => e.position)).toEqual([3, 4, 5]);
      expect((await store.readAll(1, 100)).map((e) => e.position)).toEqual(Array.from({ length: 42 }, (_, i) => i + 2));
      expect(await store.readAll(43, 10)).toEqual([]);
      expect(await store.headPosition()).toBe(43);
    });

    it('group commit: concurrent appends of one process share inserts, each answered with its own positions, a conflict among them only for its own', async () => {
      // a client of its own that counts the insert commands this store sends
      const { client, count } = await countingClient('insert', 'events');
      const store = await createMongoEventStore({ db: client.db(freshDb()) });
      try {
        const taken = `report-taken-${uniqueSuffix()}`;
        await store.append(taken, [sampleEvent(taken, 0)], 'no_stream');
        count.reset();
        const streams = Array.from({ length: 40 }, (_, i) => `report-group-${i}-${uniqueSuffix()}`);
        const sizes = streams.map((_, i) => 1 + (i % 3));
        const results = await Promise.allSettled([
          ...streams.map((s, i) => store.append(s, Array.from({ length: sizes[i]! }, (_, k) => sampleEvent(s, k)), 'no_stream')),
          store.append(taken, [sampleEvent(taken, 1)], 'no_stream'), // already has a commit: a conflict
          store.append(taken, [sampleEvent(taken, 2)], 1), // the same stream again: its own turn, appended
        ]);
        const answers = results.slice(0, 40).map((r) => (r.status === 'fulfilled' ? r.value : null));
        expect(answers.every((a) => a !== null)).toBe(true);
        expect(results[40]).toMatchObject({ status: 'rejected', reason: expect.any(StreamVersionConflictError) });
        expect(results[41]).toMatchObject({ status: 'fulfilled', value: { nextVersion: 2 } });
        expect(count.value).toBeLessThan(41 / 2);

        // every append's positions are those of its own events in the log, gapless from 1
        const all = await store.readAll(0, 1_000);
        expect(all.map((e) => e.position)).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
        const positionOf = new Map(all.map((e) => [e.position, e]));
        streams.forEach((s, i) => {
          expect(answers[i]!.nextVersion).toBe(sizes[i]);
          expect(answers[i]!.positions.map((p) => positionOf.get(p)?.subject)).toEqual(Array(sizes[i]).fill(s));
        });
        for (const s of streams.slice(0, 5)) expect((await store.readStream(s)).map((e) => e.streamVersion)).toEqual(Array.from({ length: sizes[streams.indexOf(s)]! }, (_, k) => k + 1));
      } finally {
        await store.close();
        await client.close();
      }
    });

    it('maps every lost race to the typed conflict, never a raw server error, across clients', async () => {
      const dbName = freshDb();
      const stores = await Promise.all(Array.from({ length: 4 }, () => openStore(dbName)));
      const s = `report-clients-${uniqueSuffix()}`;
      const attempts = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => stores[i % 4]!.append(s, [sampleEvent(s, i), sampleEvent(s, i + 1)], 'no_stream')),
      );
      expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
      for (const a of attempts) if (a.status === 'rejected') expect(a.reason).toBeInstanceOf(StreamVersionConflictError);
      expect((await stores[0]!.readAll(0, 100)).map((e) => e.streamVersion)).toEqual([1, 2]);
    });
  });
});
